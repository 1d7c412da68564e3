package io.livemigrate.verify;

import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * Verification totals for one table or one partition. {@code compared} counts source rows; {@code missing} and
 * {@code different} are source rows that persistently differ, so {@code matching = compared - missing - different};
 * {@code extra} counts target rows the source lacks; {@code inFlux} rows differed at first and converged on a
 * recheck (they count as matching); {@code repaired} differences were re-copied by {@code --repair} and then matched.
 */
public final class VerifyCounts {

    static final String PREFIX = "verify.";
    private static final String[] NAMES = {"compared", "missing", "extra", "different", "influx", "repaired"};

    long compared;
    long missing;
    long extra;
    long different;
    long inFlux;
    long repaired;

    public long compared() {
        return compared;
    }

    public long matching() {
        return compared - missing - different;
    }

    public long missing() {
        return missing;
    }

    public long extra() {
        return extra;
    }

    public long different() {
        return different;
    }

    public long inFlux() {
        return inFlux;
    }

    public long repaired() {
        return repaired;
    }

    public long differences() {
        return missing + extra + different;
    }

    public void add(VerifyCounts o) {
        compared += o.compared;
        missing += o.missing;
        extra += o.extra;
        different += o.different;
        inFlux += o.inFlux;
        repaired += o.repaired;
    }

    private long[] values() {
        return new long[] {compared, missing, extra, different, inFlux, repaired};
    }

    void addTo(ExecutionContext ctx) {
        long[] v = values();
        for (int i = 0; i < NAMES.length; i++) {
            ctx.putLong(PREFIX + NAMES[i], ctx.getLong(PREFIX + NAMES[i], 0L) + v[i]);
        }
    }

    static VerifyCounts from(ExecutionContext ctx) {
        VerifyCounts c = new VerifyCounts();
        c.compared = ctx.getLong(PREFIX + NAMES[0], 0L);
        c.missing = ctx.getLong(PREFIX + NAMES[1], 0L);
        c.extra = ctx.getLong(PREFIX + NAMES[2], 0L);
        c.different = ctx.getLong(PREFIX + NAMES[3], 0L);
        c.inFlux = ctx.getLong(PREFIX + NAMES[4], 0L);
        c.repaired = ctx.getLong(PREFIX + NAMES[5], 0L);
        return c;
    }

    static VerifyCounts of(long compared, long missing, long extra, long different, long inFlux, long repaired) {
        VerifyCounts c = new VerifyCounts();
        c.compared = compared;
        c.missing = missing;
        c.extra = extra;
        c.different = different;
        c.inFlux = inFlux;
        c.repaired = repaired;
        return c;
    }
}
