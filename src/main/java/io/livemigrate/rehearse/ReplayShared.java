package io.livemigrate.rehearse;

import io.livemigrate.catchup.CatchupJobConfiguration;
import io.livemigrate.core.MigrationResources;
import io.livemigrate.core.ResumableJobRunner;
import org.springframework.batch.core.repository.JobRepository;


/**
 * What the partitions of one rehearse execution share in one process ({@link RehearsalExecutions}): whether the
 * plan's catch-up is running, and the matched position, present only then.
 */
final class ReplayShared implements AutoCloseable {

    private final MigrationResources resources;
    private final JobRepository jobRepository;
    private MatchedPosition matched;
    private Boolean catchupRunning;

    ReplayShared(MigrationResources resources, JobRepository jobRepository) {
        this.resources = resources;
        this.jobRepository = jobRepository;
    }

    /** Whether the plan's catch-up is running, as the job repository says (asked once per execution and process). */
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
