package io.livemigrate.engine.mysql;

import io.livemigrate.engine.KeyValue;
import io.livemigrate.engine.KeysetSql;
import io.livemigrate.engine.TableInfo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Range boundaries from a random sample of the paging key, read in key order from the server.
 *
 * <p>Boundaries are taken from the sample in the order the server returned it, never re-sorted in Java: the
 * range predicates compare in the server's collation, and so does ORDER BY. The sample is read from a streaming
 * result set and holds at most a few thousand keys per range requested, so memory does not depend on table size.
 */
final class MySqlKeySampler {

    /** Sample keys per range wanted: enough that quantiles land within about 1% of even. */
    private static final int PER_RANGE = 100;
    private static final int MIN_SAMPLE = 10_000;

    private MySqlKeySampler() {
    }

    static List<KeyValue> sample(Connection source, TableInfo table, int ranges) throws SQLException {
        if (ranges <= 1 || !table.hasKey()) {
            return List.of();
        }
        KeysetSql keys = new KeysetSql(MySqlDialect.INSTANCE, table);
        long wanted = Math.max((long) ranges * PER_RANGE, MIN_SAMPLE);
        double probability = table.estimatedRows() > 0 ? (double) wanted / table.estimatedRows() : 1.0;
        List<KeyValue> sample = read(source, table, keys, Math.min(1.0, probability), 1);
        if (sample.size() < wanted / 2 && probability < 1.0) {
            // the estimate was too high (InnoDB estimates can be far off): read every key, keeping every n-th
            long rows = count(source, table);
            sample = read(source, table, keys, 1.0, Math.max(1, rows / wanted));
        }
        return quantiles(sample, ranges);
    }

    /** Keys where the row is picked with {@code probability}, then every {@code stride}-th of those kept. */
    private static List<KeyValue> read(Connection source, TableInfo table, KeysetSql keys, double probability,
                                       long stride) throws SQLException {
        String from = MySqlDialect.INSTANCE.table(table.id());
        String orderBy = keys.orderBy();
        if (probability < 1.0) {
            // Sampled in a derived table, sorted outside it: without the ORDER BY the server may scan the smallest
            // index that holds the key (every secondary index does) instead of the whole clustered table. RAND()
            // keeps the derived table from being merged.
            String columns = table.keyColumns().stream().map(MySqlDialect.INSTANCE::quote)
                    .collect(Collectors.joining(", "));
            from = "(SELECT " + columns + " FROM " + from + " WHERE RAND() < " + probability + ") sampled";
            orderBy = columns;
        }
        String sql = "SELECT " + keys.keyText() + " FROM " + from + " ORDER BY " + orderBy;
        List<KeyValue> sample = new ArrayList<>();
        try (Statement st = source.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
            st.setFetchSize(Integer.MIN_VALUE);
            try (ResultSet rs = st.executeQuery(sql)) {
                long seen = 0;
                while (rs.next()) {
                    if (seen++ % stride == 0) {
                        sample.add(keys.read(rs, 1));
                    }
                }
            }
        }
        return sample;
    }

    private static long count(Connection source, TableInfo table) throws SQLException {
        try (PreparedStatement ps = source.prepareStatement(
                "SELECT COUNT(*) FROM " + MySqlDialect.INSTANCE.table(table.id()));
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** {@code ranges - 1} evenly spaced sample keys, skipping repeats, in sample order. */
    static List<KeyValue> quantiles(List<KeyValue> sample, int ranges) {
        List<KeyValue> boundaries = new ArrayList<>();
        for (int i = 1; i < ranges; i++) {
            int index = (int) ((long) i * sample.size() / ranges);
            if (index == 0 || index >= sample.size()) {
                continue;
            }
            KeyValue key = sample.get(index - 1);
            if (boundaries.isEmpty() || !boundaries.get(boundaries.size() - 1).equals(key)) {
                boundaries.add(key);
            }
        }
        return boundaries;
    }
}
