package io.livemigrate.testing;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Every row of a table as one exact string, in key order, for comparing source and target in tests. PostgreSQL
 * renders the whole row ({@code t::text}); MySQL/MariaDB renders each column's bytes in hex, so NULL, '' and
 * trailing spaces stay distinct.
 */
public final class TableContents {

    private TableContents() {
    }

    public static List<String> postgres(Connection c, String table, String orderBy) throws SQLException {
        return rows(c, "SELECT t::text FROM " + table + " t ORDER BY " + orderBy);
    }

    public static List<String> mysql(Connection c, String table, String orderBy) throws SQLException {
        List<String> columns = new ArrayList<>();
        String[] parts = table.split("\\.");
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '" + parts[0]
                        + "' AND TABLE_NAME = '" + parts[1] + "' ORDER BY ORDINAL_POSITION")) {
            while (rs.next()) {
                columns.add("COALESCE(HEX(CAST(`" + rs.getString(1) + "` AS BINARY)), 'NULL')");
            }
        }
        if (columns.isEmpty()) {
            throw new SQLException("no table " + table);
        }
        return rows(c, "SELECT CONCAT_WS('|', " + String.join(", ", columns) + ") FROM " + table + " ORDER BY " + orderBy);
    }

    public static long count(Connection c, String table) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<String> rows(Connection c, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }

    public static void execute(Connection c, String... statements) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }
}
