package io.livemigrate.verify;

import io.livemigrate.catchup.CatchupJobConfiguration;
import io.livemigrate.catchup.CatchupState;
import io.livemigrate.core.MigrationResources;
import io.livemigrate.core.ResumableJobRunner;
import io.livemigrate.engine.ChangePosition;
import org.springframework.batch.core.repository.JobRepository;

import java.sql.Connection;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@link AppliedPositionProbe} of a verification that runs while the plan's catch-up does: the source position
 * is the engine's {@linkplain io.livemigrate.engine.Engine#markPosition mark} (a position plus a marker transaction
 * after it, so a quiet stream still passes it), the applied position is the one catch-up commits on the target with
 * each batch (livemigrate.catchup_state).
 */
final class CatchupAppliedProbe implements AppliedPositionProbe {

    private static final long POLL_MILLIS = 20;

    private final MigrationResources resources;

    private CatchupAppliedProbe(MigrationResources resources) {
        this.resources = resources;
    }

    /** A probe when the job repository shows the plan's catch-up running; empty otherwise (nothing is in flux). */
    static Optional<AppliedPositionProbe> ifCatchupRunning(MigrationResources resources, JobRepository repository) {
        boolean running = ResumableJobRunner.lastExecution(repository, CatchupJobConfiguration.JOB_NAME,
                resources.plan().name()).map(e -> e.getStatus().isRunning()).orElse(false);
        return running ? Optional.of(new CatchupAppliedProbe(resources)) : Optional.empty();
    }

    /** The probe of the plan's catch-up, for code that runs alongside it. */
    static AppliedPositionProbe of(MigrationResources resources) {
        return new CatchupAppliedProbe(resources);
    }

    @Override
    public String sourcePosition() throws Exception {
        try (Connection source = resources.source().getConnection()) {
            source.setAutoCommit(true);
            return resources.engine().markPosition(source, resources.plan().name()).serialize();
        }
    }

    @Override
    public boolean awaitApplied(String position, Duration timeout) throws Exception {
        try (Connection target = resources.target().getConnection()) {
            target.setAutoCommit(true);
            return CatchupState.awaitApplied(target, resources.plan().name(),
                    ChangePosition.parse(position), System.currentTimeMillis() + timeout.toMillis(), POLL_MILLIS,
                    seen -> { }).isPresent();
        }
    }
}
