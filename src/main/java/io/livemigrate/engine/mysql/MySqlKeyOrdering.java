package io.livemigrate.engine.mysql;

import io.livemigrate.engine.KeyOrdering;
import io.livemigrate.engine.TableId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MySQL and MariaDB order a text column by its collation, compiled into the server and fixed by its name (the pad
 * attribute and the Unicode version are part of the name), so two servers order a column alike when its collation
 * names are equal. Copy creates a table with the source's collation names spelled out (SHOW CREATE TABLE names the
 * table's and every differing column's), so a created table keeps them wherever the target server has them.
 */
final class MySqlKeyOrdering implements KeyOrdering {

    private static final String COLUMN_COLLATIONS = "SELECT COLUMN_NAME, COLLATION_NAME FROM information_schema.COLUMNS"
            + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND COLLATION_NAME IS NOT NULL";
    private static final String HAS_COLLATION = "SELECT 1 FROM information_schema.COLLATIONS WHERE COLLATION_NAME = ?";

    @Override
    public Map<String, String> of(Connection connection, TableId table, List<String> keyColumns) throws SQLException {
        Map<String, String> ordering = new LinkedHashMap<>();
        collations(connection, table, keyColumns).forEach((column, name) -> ordering.put(column, "collation " + name));
        return ordering;
    }

    @Override
    public Map<String, String> asCreated(Connection source, Connection target, TableId sourceTable,
                                         List<String> keyColumns) throws SQLException {
        Map<String, String> ordering = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : collations(source, sourceTable, keyColumns).entrySet()) {
            ordering.put(e.getKey(), "collation " + e.getValue()
                    + (exists(target, e.getValue()) ? "" : ", which the target server does not have"));
        }
        return ordering;
    }

    private static Map<String, String> collations(Connection c, TableId table, List<String> columns)
            throws SQLException {
        Map<String, String> all = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(COLUMN_COLLATIONS)) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    all.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        Map<String, String> inKeyOrder = new LinkedHashMap<>();
        for (String column : columns) {
            if (all.containsKey(column)) {
                inKeyOrder.put(column, all.get(column));
            }
        }
        return inKeyOrder;
    }

    private static boolean exists(Connection c, String collation) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(HAS_COLLATION)) {
            ps.setString(1, collation);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
