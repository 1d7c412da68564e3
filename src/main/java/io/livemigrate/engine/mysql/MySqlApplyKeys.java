package io.livemigrate.engine.mysql;

import io.livemigrate.engine.ApplyKeys;
import io.livemigrate.engine.Column;
import io.livemigrate.engine.ForeignKey;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;
import io.livemigrate.engine.ValueIdentity;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The unique keys, foreign keys and column identities of a MySQL/MariaDB table, from information_schema. */
final class MySqlApplyKeys {

    private static final String UNIQUE = "SELECT INDEX_NAME, COLUMN_NAME, SUB_PART FROM information_schema.STATISTICS"
            + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0 ORDER BY INDEX_NAME, SEQ_IN_INDEX";
    private static final String FOREIGN = "SELECT CONSTRAINT_NAME, COLUMN_NAME, REFERENCED_TABLE_SCHEMA,"
            + " REFERENCED_TABLE_NAME, REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE"
            + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND REFERENCED_TABLE_NAME IS NOT NULL"
            + " ORDER BY CONSTRAINT_NAME, ORDINAL_POSITION";
    private static final String COLUMNS = "SELECT COLUMN_NAME, DATA_TYPE, COLLATION_NAME FROM information_schema.COLUMNS"
            + " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?";

    /**
     * Types whose text (docs/design.md, "MySQL/MariaDB row-event encoding") is one per value: integers, decimals
     * (exactly their scale's digits), dates and times, enum and set numbers, bits, bytes as hex. Not float or double
     * (-0 equals 0) or json. Character types go by their collation.
     */
    private static final Set<String> EXACT = Set.of("tinyint", "smallint", "mediumint", "int", "integer", "bigint",
            "decimal", "date", "datetime", "timestamp", "time", "year", "enum", "set", "bit", "binary", "varbinary",
            "tinyblob", "blob", "mediumblob", "longblob");
    private static final Set<String> CHARACTER = Set.of("char", "varchar", "tinytext", "text", "mediumtext",
            "longtext");

    private MySqlApplyKeys() {
    }

    static ApplyKeys read(Connection c, TableInfo table) throws SQLException {
        return new ApplyKeys(uniqueKeys(c, table), foreignKeys(c, table), identities(c, table));
    }

    /** Unique indexes on whole columns: one on a column prefix or an expression is left out. */
    private static List<ApplyKeys.UniqueKey> uniqueKeys(Connection c, TableInfo table) throws SQLException {
        Map<String, List<String>> indexes = new LinkedHashMap<>();
        Set<String> unusable = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(UNIQUE)) {
            bind(ps, table.id());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String index = rs.getString(1);
                    if (rs.getString(2) == null || rs.getObject(3) != null) {
                        unusable.add(index);
                    }
                    else {
                        indexes.computeIfAbsent(index, k -> new ArrayList<>()).add(canonical(table, rs.getString(2)));
                    }
                }
            }
        }
        List<ApplyKeys.UniqueKey> keys = new ArrayList<>();
        indexes.forEach((index, columns) -> {
            if (!unusable.contains(index)) {
                keys.add(new ApplyKeys.UniqueKey(columns, true));
            }
        });
        return keys;
    }

    private static List<ForeignKey> foreignKeys(Connection c, TableInfo table) throws SQLException {
        Map<String, List<String[]>> rows = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(FOREIGN)) {
            bind(ps, table.id());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new String[] {
                            canonical(table, rs.getString(2)), rs.getString(3), rs.getString(4), rs.getString(5)});
                }
            }
        }
        List<ForeignKey> keys = new ArrayList<>();
        rows.forEach((name, parts) -> keys.add(new ForeignKey(name, table.id(), parts.stream().map(p -> p[0]).toList(),
                new TableId(parts.get(0)[1], parts.get(0)[2]), parts.stream().map(p -> p[3]).toList())));
        return keys;
    }

    private static Map<String, ValueIdentity> identities(Connection c, TableInfo table) throws SQLException {
        Map<String, ValueIdentity> identity = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(COLUMNS)) {
            bind(ps, table.id());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    identity.put(canonical(table, rs.getString(1)), identity(rs.getString(2), rs.getString(3)));
                }
            }
        }
        return identity;
    }

    /**
     * A character column is exact under a binary collation: {@code binary}, and the NO PAD {@code _bin} ones (MySQL's
     * {@code _0900_bin}, MariaDB's {@code _nopad_bin}); the other {@code _bin} collations PAD SPACE, ignoring trailing
     * spaces. Case- and accent-insensitive collations equal texts that differ: NONE.
     */
    static ValueIdentity identity(String dataType, String collation) {
        String type = dataType.toLowerCase(Locale.ROOT);
        if (EXACT.contains(type)) {
            return ValueIdentity.EXACT;
        }
        if (!CHARACTER.contains(type) || collation == null) {
            return ValueIdentity.NONE;
        }
        String name = collation.toLowerCase(Locale.ROOT);
        if (name.equals("binary") || name.endsWith("_bin") && (name.contains("_0900_") || name.contains("nopad"))) {
            return ValueIdentity.EXACT;
        }
        return name.endsWith("_bin") ? ValueIdentity.PAD_SPACE : ValueIdentity.NONE;
    }

    /** Column names are case-insensitive in MySQL; the spelling of the column definition. */
    private static String canonical(TableInfo table, String name) {
        return table.columns().stream().map(Column::name).filter(n -> n.equalsIgnoreCase(name)).findFirst()
                .orElse(name);
    }

    private static void bind(PreparedStatement ps, TableId table) throws SQLException {
        ps.setString(1, table.schema());
        ps.setString(2, table.name());
    }
}
