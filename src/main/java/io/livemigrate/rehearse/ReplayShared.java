package io.livemigrate.rehearse;

import io.livemigrate.catchup.CatchupJobConfiguration;
import io.livemigrate.core.MigrationResources;
import io.livemigrate.core.ResumableJobRunner;
import io.livemigrate.ops.Throttle;
import org.springframework.batch.core.repository.JobRepository;


/**
 * What the partitions of one rehearse process share: the throttle (the plan's setting from the job repository,
 * capped by {@code --rate}, so {@code livemigrate throttle} can slow or pause a rehearsal at runtime) and the matched
 * position, present only when the plan's catch-up is running.
 */
final class ReplayShared implements AutoCloseable {

    private final MigrationResources resources;
    private final JobRepository jobRepository;
    private final Throttle throttle;
    private MatchedPosition matched;
    private Boolean catchupRunning;

    ReplayShared(MigrationResources resources, JobRepository jobRepository, Throttle throttle) {
        this.resources = resources;
        this.jobRepository = jobRepository;
        this.throttle = throttle;
    }

    Throttle throttle() {
        return throttle;
    }

    /** Whether the plan's catch-up is running, as the job repository says (asked once per process). */
    synchronized boolean catchupRunning() {
        if (catchupRunning == null) {
            catchupRunning = catchupRunning(resources, jobRepository);
        }
        return catchupRunning;
    }

    static boolean catchupRunning(MigrationResources resources, JobRepository jobRepository) {
        return ResumableJobRunner.lastExecution(jobRepository, CatchupJobConfiguration.JOB_NAME,
                resources.plan().name()).map(e -> e.getStatus().isRunning()).orElse(false);
    }

    /** The matched position, or null when catch-up is not running (timing only). */
    synchronized MatchedPosition matched() {
        if (matched == null && catchupRunning()) {
            matched = new MatchedPosition(resources);
        }
        return matched;
    }

    @Override
    public synchronized void close() {
        if (matched != null) {
            matched.close();
        }
    }
}
