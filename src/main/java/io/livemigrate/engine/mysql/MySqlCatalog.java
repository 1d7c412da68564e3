package io.livemigrate.engine.mysql;

import io.livemigrate.engine.Column;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;
import io.livemigrate.engine.TableListing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/** Tables, columns and paging keys from information_schema. */
final class MySqlCatalog {

    private static final String TABLES = "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES"
            + " WHERE TABLE_TYPE = 'BASE TABLE'"
            + " AND TABLE_SCHEMA NOT IN ('mysql', 'sys', 'information_schema', 'performance_schema')"
            + " AND TABLE_SCHEMA NOT LIKE 'livemigrate%'";

    private static final String TABLE = "SELECT TABLE_ROWS, DATA_LENGTH FROM information_schema.TABLES"
            + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND TABLE_TYPE = 'BASE TABLE'";

    private static final String COLUMNS = "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, EXTRA"
            + " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION";

    // COLUMN_NAME is null for MySQL 8 functional key parts, which cannot be paged by
    private static final String UNIQUE_INDEXES = "SELECT INDEX_NAME, COLUMN_NAME, SUB_PART"
            + " FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0"
            + " ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX";

    private MySqlCatalog() {
    }

    static List<TableId> listTables(Connection c, Predicate<TableId> selected) throws SQLException {
        return TableListing.select(c, TABLES, selected);
    }

    static Optional<TableInfo> describe(Connection c, TableId table) throws SQLException {
        long rows;
        long bytes;
        try (PreparedStatement ps = c.prepareStatement(TABLE)) {
            bind(ps, table);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                rows = rs.getLong(1);
                bytes = rs.getLong(2);
            }
        }
        List<Column> columns = columns(c, table);
        Map<String, List<String>> keys = usableUniqueKeys(c, table, columns);
        String keyName = keys.keySet().stream().findFirst().orElse(null);
        List<String> keyColumns = keyName == null ? List.of() : keys.get(keyName);
        String label = keyName == null ? null : keyName.equals("PRIMARY") ? "PRIMARY KEY" : "UNIQUE " + keyName;
        return Optional.of(new TableInfo(table, columns, keyColumns, label, rows, bytes));
    }

    private static List<Column> columns(Connection c, TableId table) throws SQLException {
        List<Column> columns = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(COLUMNS)) {
            bind(ps, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(new Column(rs.getString(1), rs.getString(2), "YES".equals(rs.getString(3)),
                            isGenerated(rs.getString(4))));
                }
            }
        }
        return columns;
    }

    /**
     * MySQL and MariaDB 10.2+ say VIRTUAL GENERATED / STORED GENERATED; older MariaDB says VIRTUAL / PERSISTENT.
     * MySQL 8's DEFAULT_GENERATED marks an expression default, a plain column that is copied.
     */
    static boolean isGenerated(String extra) {
        String e = extra == null ? "" : extra.toUpperCase(Locale.ROOT);
        return e.contains("VIRTUAL GENERATED") || e.contains("STORED GENERATED") || e.contains("PERSISTENT")
                || e.equals("VIRTUAL");
    }

    /**
     * The unique indexes a copy can page by, PRIMARY first, then by name: every part a whole (not prefix),
     * non-null column. A nullable unique key allows many NULL rows that a key range cannot tell apart.
     */
    private static Map<String, List<String>> usableUniqueKeys(Connection c, TableId table, List<Column> columns)
            throws SQLException {
        Map<String, List<String>> indexes = new LinkedHashMap<>();
        Map<String, Boolean> usable = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(UNIQUE_INDEXES)) {
            bind(ps, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String index = rs.getString(1);
                    String column = rs.getString(2);
                    rs.getLong(3);
                    boolean whole = rs.wasNull();
                    boolean ok = column != null && whole && columns.stream()
                            .anyMatch(col -> col.name().equalsIgnoreCase(column) && !col.nullable());
                    indexes.computeIfAbsent(index, k -> new ArrayList<>()).add(canonical(columns, column));
                    usable.merge(index, ok, Boolean::logicalAnd);
                }
            }
        }
        indexes.keySet().removeIf(index -> !usable.get(index));
        return indexes;
    }

    /** How many unique indexes (the primary key included) the table has. */
    static int uniqueIndexCount(Connection c, TableId table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(DISTINCT INDEX_NAME) FROM "
                + "information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0")) {
            bind(ps, table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }

    /** Column names are case-insensitive in MySQL; use the spelling of the column definition. */
    private static String canonical(List<Column> columns, String name) {
        return columns.stream().map(Column::name).filter(n -> n.equalsIgnoreCase(name)).findFirst().orElse(name);
    }

    private static void bind(PreparedStatement ps, TableId table) throws SQLException {
        ps.setString(1, table.schema());
        ps.setString(2, table.name());
    }
}
