package io.livemigrate.catchup;

import io.livemigrate.core.MigrationResources;
import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.TableId;
import io.livemigrate.schema.DdlPhase;
import io.livemigrate.schema.DeferredDdl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The unique constraints and foreign keys the copy left for catch-up: the copy is not a snapshot, so until catch-up
 * has applied every change up to the position where the copy ended, the target may hold two rows with one unique
 * value, or a child without its parent, that the source never had at once. From that position on, at every committed
 * source transaction boundary the target equals a state the source had, which its constraints accepted, so they can
 * be built; until they are, the target never refuses a change the source accepted.
 */
final class DeferredConstraints {

    static final List<DdlPhase> PHASES = List.of(DdlPhase.CONSTRAINT, DdlPhase.FOREIGN_KEY);
    private static final Logger log = LoggerFactory.getLogger(DeferredConstraints.class);

    private final MigrationResources resources;
    private final ChangePosition copyEnd;
    private int pending;

    private DeferredConstraints(MigrationResources resources, ChangePosition copyEnd, int pending) {
        this.resources = resources;
        this.copyEnd = copyEnd;
        this.pending = pending;
    }

    /**
     * @param copyEnd where the copy ended on the source's log, asked only when something is pending; null when the copy
     *                recorded none (a copy made before it recorded its end built its constraints itself)
     */
    static DeferredConstraints load(MigrationResources resources, Supplier<ChangePosition> copyEnd) throws SQLException {
        int pending = DeferredDdl.pending(resources.target(), resources.plan().name(), EnumSet.copyOf(PHASES)).size();
        return new DeferredConstraints(resources, pending == 0 ? null : copyEnd.get(), pending);
    }

    /** Whether some are still to be built and {@code applied} (committed on the target) is past the copy's end. */
    boolean due(ChangePosition applied) {
        return pending > 0 && (copyEnd == null || applied != null && applied.reached(copyEnd));
    }

    /**
     * Builds them all, constraints before foreign keys; only between target transactions. First repeats the foreign
     * keys' unlogged delete actions on the orphans the copy's fuzzy rows left ({@link UnloggedCascades#repeatOnOrphans}).
     *
     * @param targetIds the plan's tables: by source table, the target table
     */
    void build(Map<TableId, TableId> targetIds) {
        long start = System.nanoTime();
        try {
            try (Connection source = resources.source().getConnection();
                 Connection target = resources.target().getConnection()) {
                long orphans = UnloggedCascades.repeatOnOrphans(resources.engine(), source, target, targetIds);
                if (orphans > 0) {
                    log.info("repeated the source's unlogged foreign-key cascades on {} row(s) the copy left", orphans);
                }
            }
            int built = DeferredDdl.build(resources.target(), resources.plan().name(), PHASES, null,
                    resources.plan().copy().threads());
            log.info("catch-up has applied past the copy's end ({}): built {} unique constraint(s) and foreign key(s) "
                    + "in {} s", copyEnd, built, String.format("%.1f", (System.nanoTime() - start) / 1e9));
            pending = 0;
        }
        catch (Exception e) {
            Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
                    ? e.getCause() : e;
            throw new CatchupStoppedException("catch-up has applied every change up to the copy's end, but building "
                    + "the target's deferred unique constraints and foreign keys failed: " + cause.getMessage()
                    + ". The target should equal a state the source had, which these constraints accepted: run verify to"
                    + " find the rows that differ, repair them (verify --repair), then run catchup again (it resumes and"
                    + " builds what is left)");
        }
    }
}
