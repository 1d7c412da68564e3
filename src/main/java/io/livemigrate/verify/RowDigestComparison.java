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
 */
final class RowDigestComparison {

    /** Streams one side's rows into a sink, e.g. a {@code ChunkDigester.rows} call. */
    @FunctionalInterface
    interface Rows {
        void stream(RowSink sink) throws SQLException;
    }

    private RowDigestComparison() {
    }

    /**
     * @param columns the names the column digests are listed in
     * @param limit   differences kept (by key); beyond it they are not reported
     * @return the differences by encoded key
     */
    static Map<String, Difference> compare(String table, List<String> columns, Rows source, Rows target, int limit)
            throws SQLException {
        Map<KeyValue, String[]> sourceRows = new HashMap<>();
        source.stream(sourceRows::put);
        Map<String, Difference> diffs = new LinkedHashMap<>();
        target.stream((key, hashes) -> {
            String[] expected = sourceRows.remove(key);
            if (diffs.size() >= limit) {
                return;
            }
            if (expected == null) {
                diffs.put(key.encode(), new Difference(table, key.toString(), Difference.Kind.EXTRA, List.of()));
            }
            else if (!Arrays.equals(expected, hashes)) {
                List<String> differing = new ArrayList<>();
                for (int i = 0; i < hashes.length; i++) {
                    if (!expected[i].equals(hashes[i])) {
                        differing.add(columns.get(i));
                    }
                }
                diffs.put(key.encode(), new Difference(table, key.toString(), Difference.Kind.DIFFERENT, differing));
            }
        });
        for (KeyValue key : sourceRows.keySet()) {
            if (diffs.size() >= limit) {
                break;
            }
            diffs.put(key.encode(), new Difference(table, key.toString(), Difference.Kind.MISSING, List.of()));
        }
        return diffs;
    }
}
