package io.livemigrate.ops;

import io.livemigrate.repository.MigrationStatus;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The status page's lag history keeps what a running stream recorded, per stream, at most {@link LagHistory#CAPACITY}
 * samples, oldest dropped first: over seeded sequences of refreshes where each stream runs, stops or has not
 * measured its lag yet.
 */
class LagHistoryTest {

    @Test
    void keepsTheLatestRecordedLagOfRunningStreamsBounded() {
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            LagHistory history = new LagHistory();
            List<LagHistory.Sample> expected = new ArrayList<>();
            int refreshes = random.nextInt(2 * LagHistory.CAPACITY);
            for (int i = 0; i < refreshes; i++) {
                MigrationStatus.Catchup forward = catchup(random);
                MigrationStatus.Catchup reverse = catchup(random);
                long at = 1_000_000L + i * 5_000L;
                history.record(status(forward, reverse), at);
                expect(expected, at, "forward", forward);
                expect(expected, at, "reverse", reverse);
            }
            List<LagHistory.Sample> kept = expected.subList(Math.max(0, expected.size() - LagHistory.CAPACITY),
                    expected.size());
            assertThat(history.samples()).as("seed %d", seed).hasSizeLessThanOrEqualTo(LagHistory.CAPACITY)
                    .containsExactlyElementsOf(kept);
        }
    }

    private static void expect(List<LagHistory.Sample> expected, long at, String stream, MigrationStatus.Catchup c) {
        if (c != null && c.status().equals("STARTED") && c.lagSeconds() != null && c.lagSeconds() >= 0) {
            expected.add(new LagHistory.Sample(at, stream, c.lagSeconds()));
        }
    }

    /** None, a stopped stream, one that has not measured its lag (-1 or nothing) or a running one with a lag. */
    private static MigrationStatus.Catchup catchup(Random random) {
        return switch (random.nextInt(5)) {
            case 0 -> null;
            case 1 -> new MigrationStatus.Catchup("STOPPED", "p", null, 0.5, 0L, 1L, 1L);
            case 2 -> new MigrationStatus.Catchup("STARTED", "p", null, random.nextBoolean() ? -1.0 : null, 0L, 1L, 1L);
            default -> new MigrationStatus.Catchup("STARTED", "p", null, random.nextInt(5000) / 1000.0, 0L, 1L, 1L);
        };
    }

    private static MigrationStatus status(MigrationStatus.Catchup forward, MigrationStatus.Catchup reverse) {
        return new MigrationStatus("p", "catchup running", "source", null, List.of(), List.of(), List.of(), forward,
                reverse, List.of(), null, null);
    }
}
