package io.livemigrate.rehearse;

import io.livemigrate.repository.Percentiles;

/**
 * When a fingerprint is slower on the target in a way worth a cutover's attention: its target p95 is over
 * {@code maxSlowdown} times the source's, the gap is at least {@code minGapMicros} (a 40 µs query taking 100 µs is
 * noise, not a regression), and both sides ran it at least {@code minExecutions} times, so a p95 means something.
 */
public record Regressions(double maxSlowdown, long minGapMicros, long minExecutions) {

    public static final double DEFAULT_MAX_SLOWDOWN = 2.0;
    public static final long DEFAULT_MIN_GAP_MICROS = 1_000;
    public static final long DEFAULT_MIN_EXECUTIONS = 5;

    public Regressions {
        if (!(maxSlowdown >= 1)) {
            throw new IllegalArgumentException("--max-slowdown must be 1 or more, not " + maxSlowdown);
        }
    }

    public boolean isRegression(Percentiles source, Percentiles target, long executions) {
        return executions >= minExecutions && target.p95() > maxSlowdown * source.p95()
                && target.p95() - source.p95() >= minGapMicros;
    }
}
