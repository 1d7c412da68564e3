package io.livemigrate.engine.postgres;

import io.livemigrate.engine.KeyValue;
import io.livemigrate.engine.KeysetSql;
import io.livemigrate.engine.TableInfo;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Range boundaries from a sample of key values, ordered by the server: range predicates compare with the server's
 * collation and operators, so the server's ORDER BY, not a Java sort, decides what lies between two boundaries.
 *
 * <p>TABLESAMPLE SYSTEM reads whole random pages, so a large table costs a few thousand page reads. When that finds
 * too few rows (a small table, or statistics far off) a full ordered key scan takes its place; both stream through a
 * {@link Thinning} buffer, so memory stays bounded however wrong the estimate was.
 */
final class PostgresKeySampler {

    private static final int MIN_SAMPLE = 10_000;
    /**
     * SYSTEM sampling picks whole pages, and keys inserted in order sit together on a page, so the quantiles are
     * only as fine as the number of pages read: read at least this many.
     */
    private static final int MIN_PAGES = 2_000;
    private static final int PAGE_BYTES = 8192;
    private static final int FETCH = 5_000;

    private PostgresKeySampler() {
    }

    static List<KeyValue> sampleBoundaries(Connection c, TableInfo table, int ranges) throws SQLException {
        if (ranges <= 1 || table.estimatedRows() < 2L * ranges) {
            return List.of();
        }
        KeysetSql keyset = new KeysetSql(PostgresDialect.INSTANCE, table);
        long wantedRows = Math.max(ranges * 100L, MIN_SAMPLE);
        long pages = Math.max(1, table.estimatedBytes() / PAGE_BYTES);
        double percent = 100.0 * Math.max((double) wantedRows / table.estimatedRows(),
                (double) Math.max(ranges * 20L, MIN_PAGES) / pages);
        int capacity = Math.max(Thinning.MIN_CAPACITY, ranges * 20);
        List<KeyValue> sample = null;
        if (percent < 100) {
            String sampling = String.format(Locale.ROOT, " TABLESAMPLE SYSTEM (%.6f)", percent);
            sample = scan(c, keyset, table, sampling, capacity);
        }
        if (sample == null || sample.size() < ranges * 10L) {
            sample = scan(c, keyset, table, "", capacity);
        }
        return quantiles(sample, ranges);
    }

    /** Every n-th of the ordered keys (n = size / ranges), adjacent duplicates dropped. */
    static List<KeyValue> quantiles(List<KeyValue> ordered, int ranges) {
        List<KeyValue> boundaries = new ArrayList<>();
        if (ordered.size() < 2) {
            return boundaries;
        }
        for (int i = 1; i < ranges; i++) {
            int at = (int) ((long) i * ordered.size() / ranges);
            KeyValue key = ordered.get(Math.min(at, ordered.size() - 1));
            if (boundaries.isEmpty() || !boundaries.get(boundaries.size() - 1).equals(key)) {
                boundaries.add(key);
            }
        }
        return boundaries;
    }

    private static List<KeyValue> scan(Connection c, KeysetSql keyset, TableInfo table, String sampling,
                                       int capacity) throws SQLException {
        String sql = "SELECT " + keyset.keyText() + " FROM " + PostgresDialect.INSTANCE.rowsOf(table, table.id())
                + sampling + " ORDER BY " + keyset.orderBy();
        // pgjdbc streams with a cursor only outside autocommit; borrow a transaction if the caller has none.
        boolean autoCommit = c.getAutoCommit();
        if (autoCommit) {
            c.setAutoCommit(false);
        }
        try (Statement st = c.createStatement()) {
            st.setFetchSize(FETCH);
            Thinning thinning = new Thinning(capacity);
            try (ResultSet rs = st.executeQuery(sql)) {
                while (rs.next()) {
                    thinning.add(keyset.read(rs, 1));
                }
            }
            return thinning.keys();
        } finally {
            if (autoCommit) {
                c.rollback();
                c.setAutoCommit(true);
            }
        }
    }

    /**
     * Keeps an evenly spaced subset of an ordered stream of unknown length: when full, it drops every other key and
     * from then on keeps every second (fourth, ...) arriving key. Order is preserved.
     */
    static final class Thinning {

        static final int MIN_CAPACITY = 50_000;

        private final int capacity;
        private final List<KeyValue> kept = new ArrayList<>();
        private long stride = 1;
        private long seen;

        Thinning(int capacity) {
            this.capacity = capacity;
        }

        void add(KeyValue key) {
            if (seen++ % stride != 0) {
                return;
            }
            kept.add(key);
            if (kept.size() >= capacity) {
                List<KeyValue> half = new ArrayList<>(capacity / 2 + 1);
                for (int i = 0; i < kept.size(); i += 2) {
                    half.add(kept.get(i));
                }
                kept.clear();
                kept.addAll(half);
                stride *= 2;
            }
        }

        List<KeyValue> keys() {
            return kept;
        }
    }
}
