package io.livemigrate.copy;

import io.livemigrate.core.MigrationResources;
import io.livemigrate.engine.ChangePosition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import java.sql.Connection;

/**
 * Step 1 of the copy (docs/design.md, rule 1, "position first"): fixes where change capture starts before any row is read,
 * and records it in the job execution context, where the catch-up job finds it. A restarted copy keeps the
 * position it recorded first: an earlier start is always safe, because catch-up replays row images.
 */
public class CapturePositionTasklet implements Tasklet {

    public static final String POSITION_KEY = "cdc.position";
    private static final Logger log = LoggerFactory.getLogger(CapturePositionTasklet.class);

    private final MigrationResources resources;
    private final java.util.List<io.livemigrate.engine.TableId> tables;

    public CapturePositionTasklet(MigrationResources resources) {
        this(resources, java.util.List.of());
    }

    /** {@code tables}: the plan's tables, which PostgreSQL publishes before creating the slot. */
    public CapturePositionTasklet(MigrationResources resources, java.util.List<io.livemigrate.engine.TableId> tables) {
        this.resources = resources;
        this.tables = java.util.List.copyOf(tables);
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        ExecutionContext jobContext = chunkContext.getStepContext().getStepExecution().getJobExecution()
                .getExecutionContext();
        if (jobContext.containsKey(POSITION_KEY)) {
            log.info("1/5 change capture position already recorded: {}", jobContext.getString(POSITION_KEY));
            return RepeatStatus.FINISHED;
        }
        try (Connection c = resources.source().getConnection()) {
            ChangePosition position = resources.engine().capturePosition(c, resources.plan().captureName(), tables);
            jobContext.putString(POSITION_KEY, position.serialize());
            chunkContext.getStepContext().getStepExecution().getExecutionContext()
                    .putString(POSITION_KEY, position.serialize());
            log.info("1/5 change capture starts at {}", position);
        }
        return RepeatStatus.FINISHED;
    }
}
