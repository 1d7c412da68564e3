package io.livemigrate.scaleout;

import org.springframework.scheduling.TaskScheduler;
import org.springframework.batch.core.partition.PartitionHandler;
import org.springframework.batch.core.partition.StepExecutionSplitter;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The manager's partition handler: Spring Batch's {@code MessageChannelPartitionHandler} sends the requests and
 * polls the repository for the results; around it, this handler (1) before a restart sends anything, waits until
 * every partition of the earlier executions has stopped heart-beating, so no partition ever runs twice at once,
 * and (2) while the partitions run, keeps a {@link LeaseWatchdog} that fails partitions of dead workers.
 */
final class LeasedPartitionHandler implements PartitionHandler {

    private final PartitionHandler messaging;
    private final PartitionLeases leases;
    private final JobRepository jobRepository;
    private final ScaleOutSettings settings;
    private final PartitionObserver observer;
    private final PrintStream out;
    private final TaskScheduler scheduler;

    LeasedPartitionHandler(PartitionHandler messaging, PartitionLeases leases, JobRepository jobRepository,
                           ScaleOutSettings settings, PartitionObserver observer, PrintStream out,
                           TaskScheduler scheduler) {
        this.scheduler = scheduler;
        this.messaging = messaging;
        this.leases = leases;
        this.jobRepository = jobRepository;
        this.settings = settings;
        this.observer = observer;
        this.out = out;
    }

    @Override
    public Collection<StepExecution> handle(StepExecutionSplitter splitter, StepExecution manager) throws Exception {
        awaitEarlierPartitions(manager.getJobExecution().getJobInstance().getInstanceId(), manager.getJobExecutionId());
        out.println("  partitions go to queue " + settings.queue() + " on " + settings.broker());
        Collection<StepExecution> results;
        try (LeaseWatchdog watchdog = new LeaseWatchdog(leases, jobRepository, manager.getJobExecutionId(), settings,
                observer, out).start(scheduler)) {
            results = messaging.handle(splitter, manager);
        }
        observer.observe(results);
        return results;
    }

    /**
     * A worker the manager declared dead may only have been frozen or cut off, and a manager killed mid-run leaves
     * its workers running: either way, their partitions must not start again while they still beat.
     */
    private void awaitEarlierPartitions(long jobInstanceId, long jobExecutionId) throws InterruptedException {
        SilenceClock silence = new SilenceClock();
        Set<Long> announced = new HashSet<>();
        while (true) {
            List<PartitionLeases.Lease> live = leases.possiblyRunningBefore(jobInstanceId, jobExecutionId);
            if (live.isEmpty()) {
                return;
            }
            for (PartitionLeases.Lease lease : live) {
                Duration silent = silence.silentFor(lease);
                if (silent.compareTo(settings.timeout()) >= 0) {
                    leases.declareDead(lease.stepExecutionId(), lease.beat());
                }
                else if (announced.add(lease.stepExecutionId())) {
                    out.println("  waiting for " + lease.stepName() + " of execution " + lease.jobExecutionId()
                            + " on worker " + lease.worker() + " to stop before running it again (at most "
                            + settings.timeout().toSeconds() + " s after its last heartbeat)");
                }
            }
            Thread.sleep(Math.max(200, settings.heartbeat().toMillis() / 2));
        }
    }
}
