package io.livemigrate.scaleout;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.scheduling.TaskScheduler;

import java.io.PrintStream;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.HashSet;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The manager's side of worker liveness, polling while the partitions run: prints which worker took which
 * partition, and fails the step execution of a partition whose worker stopped beating for the timeout (killed,
 * machine lost), so Spring Batch's repository polling sees it finished and the manager step ends FAILED; running
 * the job again then re-runs only that partition. The worker, if it was merely frozen, is fenced by Spring Batch's
 * optimistic locking: its next checkpoint fails against the version this update wrote.
 *
 * <p>The rounds run on the process's scheduler, every half heart-beat (at least 200 ms); {@link #close()} waits for a
 * round under way (up to 5 s) and stops them, so none acts on a partition after the manager step has its results.
 */
final class LeaseWatchdog implements AutoCloseable {

    private final PartitionLeases leases;
    private final JobRepository jobRepository;
    private final long jobExecutionId;
    private final ScaleOutSettings settings;
    private final PartitionObserver observer;
    private final PrintStream out;
    private final SilenceClock silence = new SilenceClock();
    private final Set<Long> announced = new HashSet<>();
    private ScheduledFuture<?> rounds;
    private final ReentrantLock roundLock = new ReentrantLock();
    private volatile boolean closed;
    private long unclaimedSinceNanos;

    LeaseWatchdog(PartitionLeases leases, JobRepository jobRepository, long jobExecutionId, ScaleOutSettings settings,
                  PartitionObserver observer, PrintStream out) {
        this.leases = leases;
        this.jobRepository = jobRepository;
        this.jobExecutionId = jobExecutionId;
        this.settings = settings;
        this.observer = observer;
        this.out = out;
    }

    LeaseWatchdog start(TaskScheduler scheduler) {
        rounds = scheduler.scheduleWithFixedDelay(this::round,
                Duration.ofMillis(Math.max(200, settings.heartbeat().toMillis() / 2)));
        return this;
    }

    private void round() {
        roundLock.lock();
        try {
            if (!closed) {
                check();
            }
        }
        catch (RuntimeException e) {
            // The repository may be briefly unreachable; the next round tries again.
            out.println("  watchdog: cannot read partition leases (" + e.getMessage() + "); retrying");
        }
        finally {
            roundLock.unlock();
        }
    }

    void check() {
        for (PartitionLeases.Lease lease : leases.unfinished(jobExecutionId)) {
            if (announced.add(lease.stepExecutionId())) {
                out.println("  " + lease.stepName() + " runs on worker " + lease.worker());
            }
            Duration silent = silence.silentFor(lease);
            if (lease.state().equals(PartitionLeases.RUNNING) && silent.compareTo(settings.timeout()) >= 0
                    && leases.declareDead(lease.stepExecutionId(), lease.beat())) {
                out.println("  " + lease.stepName() + ": worker " + lease.worker() + " silent for "
                        + silent.toSeconds() + " s; partition FAILED (run the command again to re-run it)");
                fail(lease);
            }
            else if (lease.state().equals(PartitionLeases.DEAD)) {
                fail(lease); // an earlier attempt lost an optimistic-locking race with the worker
            }
        }
        JobExecution execution = jobRepository.getJobExecution(jobExecutionId);
        if (execution != null) {
            observer.observe(execution.getStepExecutions());
            warnWhenNoWorkerTakesRequests(execution.getStepExecutions());
        }
    }

    private void fail(PartitionLeases.Lease lease) {
        StepExecution step = jobRepository.getStepExecution(lease.stepExecutionId());
        if (step == null || !step.getStatus().isRunning()) {
            return;
        }
        step.setStatus(BatchStatus.FAILED);
        step.setExitStatus(ExitStatus.FAILED.addExitDescription("worker " + lease.worker() + " stopped heart-beating"
                + " for " + settings.timeout().toSeconds() + " s (killed or unreachable)"));
        step.setEndTime(LocalDateTime.now());
        try {
            jobRepository.update(step);
        }
        catch (OptimisticLockingFailureException workerCheckpointedMeanwhile) {
            // The lease stays DEAD, so the next round reloads the step execution and tries again.
        }
    }

    /** Requests wait in the queue while no worker runs: say so, once per timeout, rather than hang silently. */
    private void warnWhenNoWorkerTakesRequests(Collection<StepExecution> steps) {
        long waiting = steps.stream().filter(s -> s.getStatus() == BatchStatus.STARTING).count();
        boolean anyRunning = steps.stream().anyMatch(s -> s.getStatus() == BatchStatus.STARTED);
        long now = System.nanoTime();
        if (waiting == 0 || anyRunning) {
            unclaimedSinceNanos = now;
            return;
        }
        if (now - unclaimedSinceNanos >= settings.timeout().toNanos()) {
            out.println("  " + waiting + " partition(s) wait in queue " + settings.queue() + " on " + settings.broker()
                    + " and no worker is running any; start workers with: livemigrate worker --plan <file>");
            unclaimedSinceNanos = now;
        }
    }

    @Override
    public void close() {
        rounds.cancel(false);
        closed = true;
        try {
            if (roundLock.tryLock(5, TimeUnit.SECONDS)) {
                roundLock.unlock();
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
