package io.livemigrate.cutover;

import io.livemigrate.catchup.CatchupState;
import io.livemigrate.core.MigrationResources;
import io.livemigrate.schema.StateTables;
import io.livemigrate.core.MigrationTables;
import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.CutoverDialect;
import io.livemigrate.engine.Fence;
import io.livemigrate.ops.MigrationMetrics;
import io.livemigrate.plan.MigrationPlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.scope.context.ChunkContext;

import java.time.Duration;
import java.sql.Connection;
import java.util.List;
import java.util.Optional;

/**
 * Steps 2 to 9 of the cutover, one method each. Steps 2 to 8 are the phases of one Spring Batch step
 * ({@link CutoverPause}), so the job repository is written to only where a rerun after a crash must know something
 * (the fence's and the switch's restore, the switch done); step 9 is a step of its own. What a rerun must know is
 * put in the {@link CutoverRecord} as it happens.
 */
final class CutoverSteps {

    private static final Logger log = LoggerFactory.getLogger(CutoverSteps.class);

    private final MigrationResources resources;
    private final MigrationTables tables;
    private final CutoverDialect dialect;
    private final FenceAndSwitchFactory fenceAndSwitch;
    private final JobRepository repository;
    private final JobOperator operator;

    CutoverSteps(MigrationResources resources, MigrationTables tables, JobRepository repository, JobOperator operator) {
        this.resources = resources;
        this.tables = tables;
        this.dialect = resources.engine().cutover();
        this.fenceAndSwitch = new FenceAndSwitchFactory(resources, dialect, tables.ids());
        this.repository = repository;
        this.operator = operator;
    }

    FenceAndSwitchFactory fenceAndSwitch() {
        return fenceAndSwitch;
    }

    CutoverRecord record(ChunkContext chunk) {
        return new CutoverRecord(chunk.getStepContext().getStepExecution().getJobExecution(), repository);
    }

    /**
     * Before the pause clock starts, while the application still writes: what the pause would otherwise carry. The
     * reverse stream's capture objects and the state table it starts from, the pause metric (loading its classes
     * inside the pause cost tens of milliseconds), the target's sequences read ahead to the source's (the pause only
     * moves those that advanced since), and what the fence and the switch restore, persisted before the fence goes
     * up so a crash right after can still lift it; step 4's digests are built (catalog reads on both sides).
     */
    void prepare(CutoverPause.Run run) throws Exception {
        CutoverRecord record = run.record();
        if (!record.has(CutoverRecord.REVERSE_PREPARED)) {
            try (Connection target = resources.target().getConnection()) {
                target.setAutoCommit(true);
                record.put(CutoverRecord.REVERSE_PREPARED, dialect.prepareReverse(resources.engine(), target,
                        resources.plan().reversed().captureName(), targetTables()));
            }
        }
        try (Connection source = resources.source().getConnection()) {
            source.setAutoCommit(true);
            StateTables.ensure(source, resources.engine());
        }
        MigrationMetrics.global().prepareCutover();
        advanceSequences(run, "sequences.ahead");
        if (!record.has(CutoverRecord.FENCE_RESTORE)) {
            record.put(CutoverRecord.FENCE_RESTORE, fenceAndSwitch.fence().prepare());
        }
        run.switchRestore(record.has(CutoverRecord.SWITCH_RESTORE) ? record.get(CutoverRecord.SWITCH_RESTORE)
                : fenceAndSwitch.trafficSwitch().prepare());
        run.reverification(new Reverification(resources, tables, repository));
    }

    /** Step 2: the pause clock starts. */
    void fence(CutoverPause.Run run) throws Exception {
        Fence fence = fenceAndSwitch.fence();
        run.pauseStarted(System.currentTimeMillis());
        fence.apply();
        log.info("2/9 writes fenced: {}", fence.describe());
    }

    /** Step 3: waits for catch-up to apply everything committed before the fence, within max-pause. */
    void drain(CutoverPause.Run run) throws Exception {
        MigrationPlan plan = resources.plan();
        long deadline = run.pauseStarted() + plan.cutover().maxPause().toMillis();
        ChangePosition drain;
        try (Connection source = resources.source().getConnection()) {
            drain = resources.engine().markPosition(source, plan.name());
        }
        run.record().set(CutoverRecord.DRAIN_POSITION, drain.serialize());
        try (Connection target = resources.target().getConnection()) {
            target.setAutoCommit(true);
            java.util.concurrent.atomic.AtomicReference<Optional<ChangePosition>> last =
                    new java.util.concurrent.atomic.AtomicReference<>(Optional.empty());
            Optional<ChangePosition> applied = CatchupState.awaitApplied(target, plan.name(), drain,
                    deadline, 2, last::set);
            if (applied.isEmpty()) {
                throw new IllegalStateException("catch-up did not reach the fence position " + drain + " within "
                        + "max-pause " + plan.cutover().maxPause().toMillis() + " ms (it is at "
                        + last.get().map(ChangePosition::serialize).orElse("nothing yet") + ")");
            }
            CatchupState.makeDurable(target, resources.engine(), plan.name());
            log.info("3/9 drained: catch-up applied {} (fence at {}), durably", applied.get(), drain);
            run.step().putString("applied", applied.get().serialize());
        }
    }

    /** Step 4: the rows changed since the last clean check, compared within the plan's budget (or all of them). */
    void reverify(CutoverPause.Run run) throws Exception {
        run.reverification().run(run.step());
    }

    /** Step 5: the sequences that moved since {@link #prepare} read them ahead. */
    void sequences(CutoverPause.Run run) throws Exception {
        int set = advanceSequences(run, "sequences");
        log.info("5/9 {} sequence(s) / AUTO_INCREMENT value(s) set on the target", set);
    }

    private int advanceSequences(CutoverPause.Run run, String key) throws Exception {
        try (Connection source = resources.source().getConnection(); Connection target = resources.target().getConnection()) {
            int set = dialect.advanceSequences(source, target, tables.ids(), resources.plan()::targetTable);
            run.step().putInt(key, set);
            return set;
        }
    }

    /**
     * Step 6: the target's change position, taken before any write can land there, becomes the applied position of
     * the reverse plan in the state table on the source, where {@code catchup --reverse} starts from.
     */
    void reverseStream(CutoverPause.Run run) throws Exception {
        MigrationPlan reverse = resources.plan().reversed();
        ChangePosition start;
        try (Connection target = resources.target().getConnection()) {
            start = dialect.reverseStart(resources.engine(), target, reverse.captureName(), targetTables());
        }
        try (Connection source = resources.source().getConnection()) {
            source.setAutoCommit(true);
            CatchupState.write(source, reverse.name(), start, null);
        }
        run.record().set(CutoverRecord.REVERSE_POSITION, start.serialize());
        log.info("6/9 reverse stream ({}) registered at {}", reverse.name(), start);
    }

    private List<io.livemigrate.engine.TableId> targetTables() {
        return tables.ids().stream().map(resources.plan()::targetTable).toList();
    }

    /**
     * Step 7: from its start, a rerun finishes the cutover rather than rolling it back, so what the switch restores
     * (with what the run has found so far) is persisted first; the switch done is persisted at once too (which side
     * is primary, for status and catch-up's direction check).
     */
    void switchTraffic(CutoverPause.Run run) throws Exception {
        CutoverRecord record = run.record();
        TrafficSwitch sw = fenceAndSwitch.trafficSwitch();
        if (!record.has(CutoverRecord.SWITCH_RESTORE)) {
            record.set(CutoverRecord.PAUSE_STARTED, run.pauseStarted());
            record.put(CutoverRecord.SWITCH_RESTORE, run.switchRestore());
        }
        sw.apply();
        record.put(CutoverRecord.SWITCH_DONE, true);
        log.info("7/9 traffic switched: {}", sw.describe());
    }

    /** Step 8: writes resume on the new primary; the pause clock stops, then the outcome is recorded. */
    void unfence(CutoverPause.Run run) throws Exception {
        CutoverRecord record = run.record();
        String released = fenceAndSwitch.fence().release(record.get(CutoverRecord.FENCE_RESTORE));
        long pause = System.currentTimeMillis() - run.pauseStarted();
        record.set(CutoverRecord.FENCE_LIFTED, true);
        record.put(CutoverRecord.PAUSE_MILLIS, pause);
        run.step().putString("unfence", released);
        MigrationMetrics.global().cutoverPause(Duration.ofMillis(pause));
        log.info("8/9 unfenced: {}; writes were held {} ms", released, pause);
    }

    /** Step 9: see {@link CatchupRetirement}. */
    void retireStream(ChunkContext chunk) throws Exception {
        new CatchupRetirement(resources.plan(), repository, operator)
                .retire(chunk.getStepContext().getStepExecution());
    }
}
