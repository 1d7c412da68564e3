package io.livemigrate.copy;

import io.livemigrate.core.MigrationResources;
import io.livemigrate.core.MigrationTables;
import io.livemigrate.engine.ChangePosition;
import io.livemigrate.schema.DdlPhase;
import io.livemigrate.schema.DeferredDdl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import java.sql.Connection;
import java.util.EnumSet;
import java.util.List;

/**
 * Step 5: records where the copy ended on the source's change log (every row it read was committed before that
 * position), then builds the deferred key indexes and secondary indexes, {@code copy.threads} at a time, and analyzes
 * the tables. Unique constraints and foreign keys stay deferred: catch-up builds them once it has applied past the
 * copy's end, where the target first equals a state the source had. A statement whose object already exists (a
 * previous run got that far) is skipped, so the step can be re-run.
 */
public class BuildIndexesTasklet implements Tasklet {

    /** The job execution context key of the copy's end position, in {@code ChangePosition} form. */
    public static final String COPY_END_KEY = "cdc.copy-end";
    private static final Logger log = LoggerFactory.getLogger(BuildIndexesTasklet.class);

    private final MigrationResources resources;
    private final MigrationTables tables;

    public BuildIndexesTasklet(MigrationResources resources, MigrationTables tables) {
        this.resources = resources;
        this.tables = tables;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        ExecutionContext jobContext = chunkContext.getStepContext().getStepExecution().getJobExecution()
                .getExecutionContext();
        if (!jobContext.containsKey(COPY_END_KEY)) {
            try (Connection source = resources.source().getConnection()) {
                ChangePosition end = resources.engine().markPosition(source, resources.plan().name());
                jobContext.putString(COPY_END_KEY, end.serialize());
                chunkContext.getStepContext().getStepExecution().getExecutionContext()
                        .putString(COPY_END_KEY, end.serialize());
            }
        }
        long start = System.nanoTime();
        int threads = resources.plan().copy().threads();
        String plan = resources.plan().name();
        // Keys first: indexes may rest on them.
        int built = DeferredDdl.build(resources.target(), plan, List.of(DdlPhase.KEY, DdlPhase.INDEX), null, threads);
        // Fresh tables have no statistics: without them the planner guesses, and the first reads (verify,
        // catch-up's keyed updates) pay for it. pg_dump restores leave this to autovacuum; we do not wait for it.
        DeferredDdl.runAll(resources.target(), tables.ids().stream()
                .map(id -> resources.engine().dialect().analyze(resources.plan().targetTable(id))).toList(), threads);
        int waiting = DeferredDdl.pending(resources.target(), plan,
                EnumSet.of(DdlPhase.CONSTRAINT, DdlPhase.FOREIGN_KEY)).size();
        log.info("5/5 built {} key(s) and index(es) in {} s; the copy ended at {}; {} unique constraint(s) and foreign "
                        + "key(s) wait for catch-up to apply past it", built,
                String.format("%.1f", (System.nanoTime() - start) / 1e9), jobContext.getString(COPY_END_KEY), waiting);
        return RepeatStatus.FINISHED;
    }
}
