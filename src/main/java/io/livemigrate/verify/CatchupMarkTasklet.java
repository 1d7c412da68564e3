package io.livemigrate.verify;

import io.livemigrate.catchup.ChangedKeys;
import io.livemigrate.core.MigrationResources;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import java.sql.Connection;

/**
 * Step 0: before anything is compared, notes in the job execution context which catch-up batches the verification
 * covers: the highest batch committed on the target now. A key catch-up changes during the verification gets a
 * higher number, whether or not the verification saw the change, so the cutover re-checks it ("changed since the
 * last clean verification" errs on the side of checking). A restarted verification keeps its first mark: the
 * earlier, and so the more conservative, of the two.
 */
class CatchupMarkTasklet implements Tasklet {

    static final String MARK_KEY = "verify.catchup-mark";
    private static final Logger log = LoggerFactory.getLogger(CatchupMarkTasklet.class);

    private final MigrationResources resources;

    CatchupMarkTasklet(MigrationResources resources) {
        this.resources = resources;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        ExecutionContext job = chunkContext.getStepContext().getStepExecution().getJobExecution().getExecutionContext();
        if (!job.containsKey(MARK_KEY)) {
            long mark;
            try (Connection target = resources.target().getConnection()) {
                mark = ChangedKeys.lastBatch(target, resources.plan().name());
            }
            job.putLong(MARK_KEY, mark);
            log.info("this verification covers catch-up's changes up to batch {}; later ones are re-checked at cutover",
                    mark);
        }
        return RepeatStatus.FINISHED;
    }
}
