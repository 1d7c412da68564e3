package io.livemigrate.verify;

import io.livemigrate.engine.ChunkDigester.RowSink;
import io.livemigrate.engine.KeyValue;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares two sides' rows by key through their per-column digests: the source's rows are held (callers ask for a
 * bounded set: a bisection leaf, a batch of changed keys), the target's are streamed past them. Each key that is
 * not the same becomes a {@link Difference}: missing on the target, extra on the target, or the columns that differ.
 * {@link #compareTracked} also keeps each differing key's state on both sides (its column digests, or absent), which
 * tells a recheck whether a row changed in between.
 */
final class RowDigestComparison {

    /** Streams one side's rows into a sink, e.g. a {@code ChunkDigester.rows} call. */
    @FunctionalInterface
    interface Rows {
        void stream(RowSink sink) throws SQLException;
    }

    /** A differing key and both sides as seen: the column digests joined, or {@link #ABSENT}. */
    record Mismatch(Difference difference, String sourceState, String targetState) {

        /** Neither side's row changed between {@code earlier} and this comparison. */
        boolean sameStatesAs(Mismatch earlier) {
            return sourceState.equals(earlier.sourceState) && targetState.equals(earlier.targetState);
        }
    }

    static final String ABSENT = "absent";

    private RowDigestComparison() {
    }

    /** As {@link #compareTracked}, the differences alone. */
    static Map<String, Difference> compare(String table, List<String> columns, Rows source, Rows target, int limit)
            throws SQLException {
        Map<String, Difference> differences = new LinkedHashMap<>();
        compareTracked(table, columns, source, target, limit).forEach((k, m) -> differences.put(k, m.difference()));
        return differences;
    }

    /**
     * @param columns the names the column digests are listed in
     * @param limit   differences kept (by key); beyond it they are not reported
     * @return the differences by encoded key
     */
    static Map<String, Mismatch> compareTracked(String table, List<String> columns, Rows source, Rows target,
                                                int limit) throws SQLException {
        Map<KeyValue, String[]> sourceRows = new HashMap<>();
        source.stream(sourceRows::put);
        Map<String, Mismatch> diffs = new LinkedHashMap<>();
        target.stream((key, hashes) -> {
            String[] expected = sourceRows.remove(key);
            if (diffs.size() >= limit) {
                return;
            }
            if (expected == null) {
                diffs.put(key.encode(), new Mismatch(new Difference(table, key.toString(), Difference.Kind.EXTRA,
                        List.of()), ABSENT, String.join(",", hashes)));
            }
            else if (!Arrays.equals(expected, hashes)) {
                List<String> differing = new ArrayList<>();
                for (int i = 0; i < hashes.length; i++) {
                    if (!expected[i].equals(hashes[i])) {
                        differing.add(columns.get(i));
                    }
                }
                diffs.put(key.encode(), new Mismatch(new Difference(table, key.toString(), Difference.Kind.DIFFERENT,
                        differing), String.join(",", expected), String.join(",", hashes)));
            }
        });
        for (Map.Entry<KeyValue, String[]> row : sourceRows.entrySet()) {
            if (diffs.size() >= limit) {
                break;
            }
            KeyValue key = row.getKey();
            diffs.put(key.encode(), new Mismatch(new Difference(table, key.toString(), Difference.Kind.MISSING,
                    List.of()), String.join(",", row.getValue()), ABSENT));
        }
        return diffs;
    }
}
