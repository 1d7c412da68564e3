package io.livemigrate.engine.mysql;

import io.livemigrate.engine.CascadingForeignKey;
import io.livemigrate.engine.TableId;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Foreign keys with CASCADE or SET NULL actions, from information_schema. InnoDB runs these actions inside the
 * storage engine, so the binlog holds the parent's row change but none of the child rows it changed.
 */
final class MySqlForeignKeys {

    private static final String CASCADING = "SELECT rc.CONSTRAINT_SCHEMA, rc.TABLE_NAME, rc.CONSTRAINT_NAME, "
            + "k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME, rc.DELETE_RULE, rc.UPDATE_RULE, k.COLUMN_NAME, "
            + "k.REFERENCED_COLUMN_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS rc "
            + "JOIN information_schema.KEY_COLUMN_USAGE k ON k.CONSTRAINT_SCHEMA = rc.CONSTRAINT_SCHEMA "
            + "AND k.TABLE_NAME = rc.TABLE_NAME AND k.CONSTRAINT_NAME = rc.CONSTRAINT_NAME "
            + "AND k.REFERENCED_TABLE_NAME IS NOT NULL "
            + "WHERE rc.DELETE_RULE IN ('CASCADE', 'SET NULL') OR rc.UPDATE_RULE IN ('CASCADE', 'SET NULL') "
            + "ORDER BY rc.CONSTRAINT_SCHEMA, rc.TABLE_NAME, rc.CONSTRAINT_NAME, k.ORDINAL_POSITION";

    private MySqlForeignKeys() {
    }

    /** The cascading foreign keys whose child or parent is one of {@code tables}. */
    static List<CascadingForeignKey> cascading(Connection c, List<TableId> tables) throws SQLException {
        Set<TableId> wanted = new HashSet<>(tables);
        Map<String, Builder> keys = new LinkedHashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(CASCADING)) {
            while (rs.next()) {
                TableId child = new TableId(rs.getString(1), rs.getString(2));
                TableId parent = new TableId(rs.getString(4), rs.getString(5));
                if (!wanted.contains(child) && !wanted.contains(parent)) {
                    continue;
                }
                String name = rs.getString(3);
                Builder b = keys.computeIfAbsent(child.qualified() + "\u0000" + name,
                        k -> new Builder(name, child, parent));
                b.onDelete = rs.getString(6);
                b.onUpdate = rs.getString(7);
                b.childColumns.add(rs.getString(8));
                b.parentColumns.add(rs.getString(9));
            }
        }
        List<CascadingForeignKey> out = new ArrayList<>();
        for (Builder b : keys.values()) {
            out.add(new CascadingForeignKey(b.name, b.child, b.childColumns, b.parent, b.parentColumns,
                    CascadingForeignKey.action(b.onDelete), CascadingForeignKey.action(b.onUpdate)));
        }
        return out;
    }

    /**
     * {@code DELETE c FROM child c LEFT JOIN parent p ON ... WHERE <referencing columns not null> AND p.r IS NULL}, or
     * the same UPDATE setting the referencing columns NULL (multi-table forms: a self-reference is allowed there).
     */
    static long repeatDeleteActionOnOrphans(Connection target, CascadingForeignKey key, TableId childTarget,
                                            TableId parentTarget) throws SQLException {
        if (key.onDelete() == CascadingForeignKey.Action.NONE) {
            return 0;
        }
        MySqlDialect d = MySqlDialect.INSTANCE;
        StringBuilder join = new StringBuilder(d.table(childTarget)).append(" c LEFT JOIN ")
                .append(d.table(parentTarget)).append(" p ON ");
        StringBuilder where = new StringBuilder(" WHERE ");
        StringBuilder set = new StringBuilder(" SET ");
        for (int i = 0; i < key.childColumns().size(); i++) {
            String c = "c." + d.quote(key.childColumns().get(i));
            join.append(i > 0 ? " AND " : "").append("p.").append(d.quote(key.parentColumns().get(i))).append(" = ")
                    .append(c);
            where.append(c).append(" IS NOT NULL AND ");
            set.append(i > 0 ? ", " : "").append(c).append(" = NULL");
        }
        where.append("p.").append(d.quote(key.parentColumns().get(0))).append(" IS NULL");
        String sql = key.onDelete() == CascadingForeignKey.Action.CASCADE ? "DELETE c FROM " + join + where
                : "UPDATE " + join + set + where;
        try (Statement st = target.createStatement()) {
            return st.executeLargeUpdate(sql);
        }
    }

    private static final class Builder {
        final String name;
        final TableId child;
        final TableId parent;
        final List<String> childColumns = new ArrayList<>();
        final List<String> parentColumns = new ArrayList<>();
        String onDelete;
        String onUpdate;

        Builder(String name, TableId child, TableId parent) {
            this.name = name;
            this.child = child;
            this.parent = parent;
        }
    }
}
