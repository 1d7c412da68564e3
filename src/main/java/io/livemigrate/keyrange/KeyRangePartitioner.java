package io.livemigrate.keyrange;

import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.infrastructure.item.ExecutionContext;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the ranges {@link SplitRangesTasklet} recorded into partitions named {@code schema.table#0007}, so the
 * worker step executions read {@code copy-range:shop.orders#0007} in the job repository, and a restart matches
 * them by name.
 */
public class KeyRangePartitioner implements Partitioner {

    private final List<CopyRange> ranges;

    public KeyRangePartitioner(String encodedRanges) {
        this.ranges = RangeList.decode(encodedRanges);
    }

    @Override
    public Map<String, ExecutionContext> partition(int gridSize) {
        Map<String, ExecutionContext> partitions = new LinkedHashMap<>();
        Map<String, Integer> perTable = new LinkedHashMap<>();
        for (CopyRange range : ranges) {
            int n = perTable.merge(range.table().qualified(), 1, Integer::sum);
            partitions.put(String.format("%s#%04d", range.table().qualified(), n), range.toContext());
        }
        return partitions;
    }
}
