package io.livemigrate.rehearse;

import org.HdrHistogram.Histogram;

/** One side's latency of a fingerprint in microseconds; all 0 when it never ran there. */
public record Percentiles(long p50, long p95, long p99, long max) {

    static Percentiles of(Histogram h) {
        if (h.getTotalCount() == 0) {
            return new Percentiles(0, 0, 0, 0);
        }
        return new Percentiles(h.getValueAtPercentile(50), h.getValueAtPercentile(95), h.getValueAtPercentile(99),
                h.getMaxValue());
    }
}
