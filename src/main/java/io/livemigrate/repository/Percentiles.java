package io.livemigrate.repository;

/** One side's latency of a rehearsed fingerprint in microseconds; all 0 when it never ran there. */
public record Percentiles(long p50, long p95, long p99, long max) {

    public static final Percentiles NONE = new Percentiles(0, 0, 0, 0);
}
