package io.livemigrate.rehearse;

import io.livemigrate.catchup.CatchupJobConfiguration;
import io.livemigrate.core.MigrationResources;
import io.livemigrate.core.ResumableJobRunner;
import io.livemigrate.ops.Throttle;
import io.livemigrate.ops.ThrottleStore;
import org.springframework.batch.core.repository.JobRepository;

import javax.sql.DataSource;

/**
 * What the partitions of one rehearse process share: the throttle (the plan's setting from the job repository,
 * capped by {@code --rate}, so {@code livemigrate throttle} can slow or pause a rehearsal at runtime) and the matched
 * position, present only when the plan's catch-up is running.
 */
final class ReplayShared implements AutoCloseable {

    private final MigrationResources resources;
    private final JobRepository jobRepository;
    private final DataSource repository;
    private final RehearseOptions options;
    private Throttle throttle;
    private MatchedPosition matched;
    private Boolean catchupRunning;

    ReplayShared(MigrationResources resources, JobRepository jobRepository, DataSource repository,
                 RehearseOptions options) {
        this.resources = resources;
        this.jobRepository = jobRepository;
        this.repository = repository;
        this.options = options;
    }

    synchronized Throttle throttle() {
        if (throttle == null) {
            throttle = new Throttle(resources.plan().name(), new ThrottleStore(repository), resources.source())
                    .ceiling(options.rate()).start();
        }
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
        if (throttle != null) {
            throttle.close();
        }
        if (matched != null) {
            matched.close();
        }
    }
}
