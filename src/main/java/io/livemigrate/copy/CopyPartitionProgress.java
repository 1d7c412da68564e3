package io.livemigrate.copy;

import io.livemigrate.keyrange.CopyRange;
import io.livemigrate.scaleout.PartitionObserver;
import org.springframework.batch.core.step.StepExecution;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Feeds the manager's copy progress from the rows workers record in their partitions' execution contexts at each
 * checkpoint, so the console shows the same per-table lines as a local copy. Counts only what this run adds: a
 * restarted partition's context starts from the rows its earlier execution copied, so the first sighting of a
 * partition is its baseline (a chunk committed before the first poll, a second at most, is missed on screen only).
 */
public final class CopyPartitionProgress implements PartitionObserver {

    private final CopyProgress progress;
    private final String partitionPrefix;
    private final Map<Long, Long> seenRows = new HashMap<>();

    /** @param workerStepName partitions are the step executions named {@code <workerStepName>:<partition>} */
    public CopyPartitionProgress(CopyProgress progress, String workerStepName) {
        this.progress = progress;
        this.partitionPrefix = workerStepName + ":";
    }

    @Override
    public synchronized void observe(Collection<StepExecution> partitions) {
        for (StepExecution step : partitions) {
            if (!step.getStepName().startsWith(partitionPrefix)) {
                continue;
            }
            long rows = step.getExecutionContext().getLong(SliceCopyWriter.ROWS_KEY, 0L);
            Long before = seenRows.put(step.getId(), rows);
            if (before == null || rows <= before) {
                continue;
            }
            progress.copied(CopyRange.fromContext(step.getExecutionContext()).table(), rows - before);
        }
    }
}
