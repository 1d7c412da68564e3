package io.livemigrate.keyrange;

import io.livemigrate.core.MigrationResources;
import io.livemigrate.engine.KeyValue;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;
import io.livemigrate.plan.CopyOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;

/**
 * Step 3: splits every table into key ranges of about {@code copy.partition-rows} rows, at key values sampled from
 * the table, and records them in the job execution context. The ranges are decided once: a restarted copy finds
 * the same partitions, so Spring Batch re-runs only the unfinished ones.
 */
public class SplitRangesTasklet implements Tasklet {

    public static final String RANGES_KEY = "copy.ranges";
    private static final int MAX_RANGES_PER_TABLE = 4096;
    private static final Logger log = LoggerFactory.getLogger(SplitRangesTasklet.class);

    private final MigrationResources resources;
    private final List<TableId> tables;

    public SplitRangesTasklet(MigrationResources resources, List<TableId> tables) {
        this.resources = resources;
        this.tables = tables;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        ExecutionContext jobContext = chunkContext.getStepContext().getStepExecution().getJobExecution()
                .getExecutionContext();
        if (jobContext.containsKey(RANGES_KEY)) {
            return RepeatStatus.FINISHED;
        }
        List<CopyRange> ranges = new ArrayList<>();
        try (Connection source = resources.source().getConnection()) {
            for (TableId id : tables) {
                TableInfo table = resources.sourceTable(id);
                int wanted = rangesFor(table.estimatedRows(), resources.plan().copy());
                List<KeyValue> bounds = wanted > 1 ? resources.engine().sampleBoundaries(source, table, wanted) : List.of();
                KeyValue lower = null;
                for (KeyValue bound : bounds) {
                    ranges.add(new CopyRange(id, lower, bound));
                    lower = bound;
                }
                ranges.add(new CopyRange(id, lower, null));
                log.info("3/5 {}: ~{} rows in {} range(s)", id, table.estimatedRows(), bounds.size() + 1);
            }
        }
        jobContext.putString(RANGES_KEY, RangeList.encode(ranges));
        return RepeatStatus.FINISHED;
    }

    /**
     * Ranges for a table of about {@code estimatedRows}: one per {@code partition-rows}, and never fewer than the copy
     * has threads while each range still holds at least a chunk. Without that floor a table of 1-2 million rows got one
     * or two ranges, so two of four threads copied it while the others had nothing to do (docs/design.md, step 3 of
     * "How the copy works").
     */
    static int rangesFor(long estimatedRows, CopyOptions copy) {
        long bySize = (estimatedRows + copy.partitionRows() - 1) / copy.partitionRows();
        long byThreads = Math.min(copy.threads(), estimatedRows / copy.chunkRows());
        return (int) Math.max(1, Math.min(MAX_RANGES_PER_TABLE, Math.max(bySize, byThreads)));
    }
}
