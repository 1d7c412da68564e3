package io.livemigrate.scaleout;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * How long each lease's beat counter has stood still, measured on this process's monotonic clock from the moment
 * it was first seen or last moved. Only counters cross machines, never timestamps, so clock skew cannot make a
 * live worker look dead.
 */
final class SilenceClock {

    private record Seen(long beat, long sinceNanos) {
    }

    private final Map<Long, Seen> seen = new HashMap<>();

    Duration silentFor(PartitionLeases.Lease lease) {
        long now = System.nanoTime();
        Seen last = seen.get(lease.stepExecutionId());
        if (last == null || last.beat() != lease.beat()) {
            seen.put(lease.stepExecutionId(), new Seen(lease.beat(), now));
            return Duration.ZERO;
        }
        return Duration.ofNanos(now - last.sinceNanos());
    }
}
