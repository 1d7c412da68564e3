package io.livemigrate.rehearse;

import io.livemigrate.core.MigrationResources;
import org.springframework.batch.core.repository.JobRepository;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;

/**
 * What the partitions of one rehearse execution share within one process (the command's, or a worker's that may run
 * partitions of many rehearsals over its life): the execution's {@link RehearsalStop}, watched in the job repository
 * while any of its partitions runs here, and its {@link ReplayShared} (whether catch-up runs, the matched position).
 * Joined by each partition as it starts, left as it ends; the last to leave closes what the execution opened.
 *
 * <p>The process stop ({@link #processStop()}) stops every execution of the process, now and later: the command's
 * Ctrl-C, and the report run after a stopped follow, whose partitions must hand out nothing.
 */
public final class RehearsalExecutions {

    private final MigrationResources resources;
    private final JobRepository jobRepository;
    private final RehearsalStopWatcher watcher;
    private final RehearsalStop processStop = new RehearsalStop();
    private final Map<Long, Execution> running = new HashMap<>();

    RehearsalExecutions(MigrationResources resources, JobRepository jobRepository, RehearsalStopWatcher watcher) {
        this.resources = resources;
        this.jobRepository = jobRepository;
        this.watcher = watcher;
    }

    /** Stops every rehearsal execution of this process, the running ones and those still to come. */
    public RehearsalStop processStop() {
        return processStop;
    }

    /** The shared parts of one execution, while at least one of its partitions runs in this process. */
    static final class Execution {
        private final RehearsalStop stop = new RehearsalStop();
        private final ReplayShared shared;
        private ScheduledFuture<?> watching;
        private RehearsalStop.Registration processStopLink;
        private int partitions;

        private Execution(ReplayShared shared) {
            this.shared = shared;
        }

        RehearsalStop stop() {
            return stop;
        }

        ReplayShared shared() {
            return shared;
        }
    }

    synchronized Execution join(long jobExecutionId) {
        Execution e = running.get(jobExecutionId);
        if (e == null) {
            e = new Execution(new ReplayShared(resources, jobRepository));
            e.processStopLink = processStop.onRequest(e.stop::request);
            e.watching = watcher.watch(jobExecutionId, e.stop);
            running.put(jobExecutionId, e);
        }
        e.partitions++;
        return e;
    }

    synchronized void leave(long jobExecutionId) {
        Execution e = running.get(jobExecutionId);
        if (e == null || --e.partitions > 0) {
            return;
        }
        running.remove(jobExecutionId);
        e.watching.cancel(false);
        e.processStopLink.close();
        e.shared.close();
    }
}
