package io.livemigrate.engine.postgres;

import io.livemigrate.engine.Column;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;
import io.livemigrate.engine.TableListing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.function.Predicate;

/** Reads which tables exist and what they look like from pg_catalog. */
final class PostgresCatalog {

    /**
     * Ordinary and partitioned tables that are not partitions: a partition is carried with its partitioned table (see
     * {@link TableInfo#partitioned}).
     */
    private static final String LIST_TABLES = """
            SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
              AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
              AND n.nspname NOT LIKE 'livemigrate%'""";

    private static final String FIND_TABLE = """
            SELECT c.oid, c.reltuples, pg_relation_size(c.oid), pg_table_size(c.oid), c.relkind = 'p'
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p')""";

    /** A partitioned table's size: its partitions' (it has no storage of its own). */
    private static final String PARTITIONS_SIZE = """
            SELECT coalesce(sum(greatest(c.reltuples, 0)), 0)::bigint, coalesce(sum(pg_table_size(c.oid)), 0)::bigint
            FROM pg_partition_tree(?::oid::regclass) p JOIN pg_class c ON c.oid = p.relid WHERE p.isleaf""";

    private static final String COLUMNS = """
            SELECT attname, format_type(atttypid, atttypmod), attnotnull, attgenerated <> '', attidentity = 'a'
            FROM pg_attribute WHERE attrelid = ? AND attnum > 0 AND NOT attisdropped ORDER BY attnum""";

    /** Key columns of the primary key and of every usable unique index, primary key first, then by index name. */
    private static final String UNIQUE_KEYS = """
            SELECT ic.relname, i.indisprimary, a.attname, a.attnotnull
            FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
            CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
            WHERE i.indrelid = ? AND i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
              AND k.ord <= i.indnkeyatts
            ORDER BY i.indisprimary DESC, ic.relname, k.ord""";

    private static final Pattern PLAN_ROWS = Pattern.compile("rows=(\\d+)");

    private PostgresCatalog() {
    }

    static List<TableId> listTables(Connection c, Predicate<TableId> selected) throws SQLException {
        return TableListing.select(c, LIST_TABLES, selected);
    }

    static Optional<TableInfo> describe(Connection c, TableId table) throws SQLException {
        return PostgresSearchPath.qualified(c, () -> describeQualified(c, table));
    }

    /** The table's oid, for queries that go on by oid; empty when it does not exist. */
    static Optional<Long> oid(Connection c, TableId table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(FIND_TABLE)) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
            }
        }
    }

    private static Optional<TableInfo> describeQualified(Connection c, TableId table) throws SQLException {
        long oid;
        double reltuples;
        long relationBytes;
        long tableBytes;
        boolean partitioned;
        try (PreparedStatement ps = c.prepareStatement(FIND_TABLE)) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                oid = rs.getLong(1);
                reltuples = rs.getDouble(2);
                relationBytes = rs.getLong(3);
                tableBytes = rs.getLong(4);
                partitioned = rs.getBoolean(5);
            }
        }
        if (partitioned) {
            try (PreparedStatement ps = c.prepareStatement(PARTITIONS_SIZE)) {
                ps.setLong(1, oid);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    // never-analyzed partitions count 0 here: let the planner guess from their size instead
                    reltuples = rs.getLong(1) > 0 ? rs.getLong(1) : -1;
                    relationBytes = tableBytes = rs.getLong(2);
                }
            }
        }
        List<Column> columns = columns(c, oid);
        List<String> key = new ArrayList<>();
        String keyName = pickKey(c, oid, key);
        long rows = reltuples >= 0 ? (long) reltuples
                : relationBytes == 0 ? 0 : plannerEstimate(c, table);
        return Optional.of(new TableInfo(table, columns, key, keyName, rows, tableBytes, partitioned));
    }

    private static List<Column> columns(Connection c, long oid) throws SQLException {
        List<Column> columns = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(COLUMNS)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(new Column(rs.getString(1), rs.getString(2), !rs.getBoolean(3), rs.getBoolean(4),
                            rs.getBoolean(5)));
                }
            }
        }
        return columns;
    }

    /** Fills {@code key} with the paging key's columns and returns its name, or null when there is none. */
    private static String pickKey(Connection c, long oid, List<String> key) throws SQLException {
        String current = null;
        boolean primary = false;
        boolean usable = true;
        List<String> columns = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(UNIQUE_KEYS)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String index = rs.getString(1);
                    if (!index.equals(current)) {
                        if (current != null && usable) {
                            break;
                        }
                        current = index;
                        primary = rs.getBoolean(2);
                        usable = true;
                        columns.clear();
                    }
                    columns.add(rs.getString(3));
                    usable &= primary || rs.getBoolean(4);
                }
            }
        }
        if (current == null || !usable) {
            return null;
        }
        key.addAll(columns);
        return primary ? "PRIMARY KEY" : "UNIQUE " + current;
    }

    /**
     * A never-analyzed table has reltuples = -1. The planner's own guess (from the table's current size and column
     * widths) costs no scan and is what the server would use itself.
     */
    private static long plannerEstimate(Connection c, TableId table) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("EXPLAIN SELECT 1 FROM " + PostgresDialect.INSTANCE.table(table))) {
            if (rs.next()) {
                Matcher m = PLAN_ROWS.matcher(rs.getString(1));
                if (m.find()) {
                    return Long.parseLong(m.group(1));
                }
            }
        }
        return 0;
    }
}
