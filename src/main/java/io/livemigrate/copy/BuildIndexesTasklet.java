package io.livemigrate.copy;

import io.livemigrate.core.MigrationResources;
import io.livemigrate.core.MigrationTables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import java.util.List;

/**
 * Step 5: builds the deferred key indexes, then the secondary indexes, {@code copy.threads} at a time, then the
 * foreign keys once every referenced table is complete. A statement whose object already exists (a previous run got that far) is skipped,
 * so the step can be re-run.
 */
public class BuildIndexesTasklet implements Tasklet {

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
        List<String> indexes = DeferredDdl.read(jobContext, PrepareSchemaTasklet.INDEXES_KEY);
        List<String> foreignKeys = DeferredDdl.read(jobContext, PrepareSchemaTasklet.FOREIGN_KEYS_KEY);
        long start = System.nanoTime();
        int threads = resources.plan().copy().threads();
        // Keys first: unique and foreign keys may rest on them.
        int keys = DeferredKeys.buildAll(resources, jobContext);
        ParallelDdl.runAll(resources, indexes, threads);
        ParallelDdl.runAll(resources, foreignKeys, threads);
        // Fresh tables have no statistics: without them the planner guesses, and the first reads (verify,
        // catch-up's keyed updates) pay for it. pg_dump restores leave this to autovacuum; we do not wait for it.
        ParallelDdl.runAll(resources, tables.ids().stream()
                .map(id -> resources.engine().dialect().analyze(resources.plan().targetTable(id))).toList(), threads);
        log.info("5/5 built {} key(s), {} index(es) and {} foreign key(s) in {} s", keys, indexes.size(),
                foreignKeys.size(),
                String.format("%.1f", (System.nanoTime() - start) / 1e9));
        return RepeatStatus.FINISHED;
    }
}
