package io.livemigrate.keyrange;

import io.livemigrate.plan.CopyOptions;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class SplitRangesTaskletTest {

    private static final CopyOptions DEFAULTS = CopyOptions.DEFAULTS;

    @Test
    void midSizedTableGetsARangePerThread() {
        assertThat(SplitRangesTasklet.rangesFor(2_000_000, DEFAULTS)).isEqualTo(4);
        assertThat(SplitRangesTasklet.rangesFor(1_000_000, DEFAULTS)).isEqualTo(4);
    }

    @Test
    void smallTableKeepsOneRangeAndEveryRangeHoldsAChunk() {
        assertThat(SplitRangesTasklet.rangesFor(0, DEFAULTS)).isEqualTo(1);
        assertThat(SplitRangesTasklet.rangesFor(49_999, DEFAULTS)).isEqualTo(1);
        assertThat(SplitRangesTasklet.rangesFor(120_000, DEFAULTS)).isEqualTo(2);
    }

    @Test
    void largeTableIsSplitByPartitionRows() {
        assertThat(SplitRangesTasklet.rangesFor(20_000_000, DEFAULTS)).isEqualTo(20);
        assertThat(SplitRangesTasklet.rangesFor(Long.MAX_VALUE / 2, DEFAULTS)).isEqualTo(4096);
    }

    @Test
    void rangesAreBoundedOnBothSidesForRandomOptions() {
        SplittableRandom random = new SplittableRandom(20);
        for (int i = 0; i < 10_000; i++) {
            CopyOptions copy = new CopyOptions(random.nextInt(1, 33), random.nextInt(1, 200_000),
                    random.nextLong(1, 5_000_000), true);
            long rows = random.nextLong(0, 100_000_000);
            int ranges = SplitRangesTasklet.rangesFor(rows, copy);
            long bySize = (rows + copy.partitionRows() - 1) / copy.partitionRows();
            assertThat(ranges).as("rows %d, %s", rows, copy).isBetween(1, 4096);
            assertThat(ranges).as("rows %d, %s", rows, copy).isGreaterThanOrEqualTo((int) Math.min(4096, bySize));
            if (ranges > Math.max(1, bySize)) {
                assertThat(ranges).isLessThanOrEqualTo(copy.threads());
                assertThat(rows / ranges).as("rows a range, %d rows, %s", rows, copy)
                        .isGreaterThanOrEqualTo(copy.chunkRows());
            }
        }
    }
}
