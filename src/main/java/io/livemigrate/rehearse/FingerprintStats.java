package io.livemigrate.rehearse;

import io.livemigrate.repository.Percentiles;
import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.zip.DataFormatException;

/**
 * What the rehearsal knows about one query shape: how often it ran, was compared, differed, and each side's latency
 * distribution (HdrHistogram, microseconds, 3 significant digits), plus one example statement and the first
 * difference found. Partitions keep their own and the report merges them.
 */
final class FingerprintStats {

    /** One hour in microseconds: longer replays are recorded as one hour. */
    private static final long HIGHEST_MICROS = 3_600_000_000L;

    final String fingerprint;
    String sampleSql;
    String sampleParameters;
    String sampleSettings;
    String sampleUser;
    long executions;
    long compared;
    long notCompared;
    String notComparedReason;
    long inFlux;
    long resultDiffs;
    long errorDiffs;
    String firstDifference;
    final Histogram source;
    final Histogram target;

    FingerprintStats(String fingerprint) {
        this.fingerprint = fingerprint;
        this.source = new Histogram(HIGHEST_MICROS, 3);
        this.target = new Histogram(HIGHEST_MICROS, 3);
    }

    FingerprintStats(String fingerprint, Histogram source, Histogram target) {
        this.fingerprint = fingerprint;
        this.source = source;
        this.target = target;
    }

    void add(ReplayOutcome o) {
        if (sampleSql == null) {
            sampleSql = o.sql();
            sampleParameters = Texts.joinList(o.parameters());
            sampleSettings = Texts.joinList(o.settings());
            sampleUser = o.user();
        }
        executions++;
        record(source, o.sourceMicros());
        record(target, o.targetMicros());
        if (o.kind() == ReplayOutcome.Kind.COMPARED) {
            compared++;
            if (o.inFlux()) {
                inFlux++;
            }
        }
        else {
            notCompared++;
            if (notComparedReason == null) {
                notComparedReason = o.reason();
            }
        }
        if (o.difference() != null) {
            if (o.difference().kind().equals("ERROR")) {
                errorDiffs++;
            }
            else {
                resultDiffs++;
            }
            if (firstDifference == null) {
                firstDifference = o.difference().detail();
                // the statement that showed it, with its parameters, is the example to rerun
                sampleSql = o.sql();
                sampleParameters = Texts.joinList(o.parameters());
                sampleSettings = Texts.joinList(o.settings());
                sampleUser = o.user();
            }
        }
    }

    void merge(FingerprintStats other) {
        if (sampleSql == null || firstDifference == null && other.firstDifference != null) {
            sampleSql = other.sampleSql;
            sampleParameters = other.sampleParameters;
            sampleSettings = other.sampleSettings;
            sampleUser = other.sampleUser;
        }
        executions += other.executions;
        compared += other.compared;
        notCompared += other.notCompared;
        notComparedReason = notComparedReason != null ? notComparedReason : other.notComparedReason;
        inFlux += other.inFlux;
        resultDiffs += other.resultDiffs;
        errorDiffs += other.errorDiffs;
        firstDifference = firstDifference != null ? firstDifference : other.firstDifference;
        source.add(other.source);
        target.add(other.target);
    }

    long differences() {
        return resultDiffs + errorDiffs;
    }

    private static void record(Histogram h, long micros) {
        if (micros >= 0) {
            h.recordValue(Math.min(Math.max(micros, 1), HIGHEST_MICROS));
        }
    }

    /** A side's p50/p95/p99/max; all 0 when it never ran there. */
    static Percentiles percentiles(Histogram h) {
        if (h.getTotalCount() == 0) {
            return Percentiles.NONE;
        }
        return new Percentiles(h.getValueAtPercentile(50), h.getValueAtPercentile(95), h.getValueAtPercentile(99),
                h.getMaxValue());
    }

    static String encode(Histogram h) {
        ByteBuffer buffer = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int length = h.encodeIntoCompressedByteBuffer(buffer);
        byte[] bytes = new byte[length];
        buffer.flip();
        buffer.get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    static Histogram decode(String text) {
        if (text == null || text.isEmpty()) {
            return new Histogram(HIGHEST_MICROS, 3);
        }
        try {
            Histogram h = Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(text)),
                    HIGHEST_MICROS);
            Histogram sized = new Histogram(HIGHEST_MICROS, 3);
            sized.add(h);
            return sized;
        }
        catch (DataFormatException e) {
            throw new IllegalStateException("a stored latency histogram cannot be read: " + e.getMessage(), e);
        }
    }
}
