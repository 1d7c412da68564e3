package io.livemigrate.engine.postgres;

import io.livemigrate.engine.TableId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A declaratively partitioned table's partitions, which are carried with it: created on the target with the same
 * names and bounds (a partition that is partitioned itself with its own partitions), and their changes applied
 * through it. Catalog text is printed by the server (pg_get_partkeydef, pg_get_expr of the bound); run under
 * {@link PostgresSearchPath#qualified} for DDL.
 */
final class PostgresPartitions {

    /** Every partition below the table, parents before their partitions. */
    private static final String TREE = """
            SELECT c.oid, n.nspname, c.relname, pn.nspname, pc.relname, pg_get_expr(c.relpartbound, c.oid),
                   CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END
            FROM pg_partition_tree(?::oid::regclass) p
            JOIN pg_class c ON c.oid = p.relid JOIN pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_class pc ON pc.oid = p.parentrelid JOIN pg_namespace pn ON pn.oid = pc.relnamespace
            WHERE p.parentrelid IS NOT NULL ORDER BY p.level, n.nspname, c.relname""";

    private PostgresPartitions() {
    }

    /** {@code PARTITION BY ...} for a partitioned table, empty for any other. */
    static String partitionBy(Connection c, long oid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT pg_get_partkeydef(oid) FROM pg_class WHERE oid = ? AND relkind = 'p'")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? " PARTITION BY " + rs.getString(1) : "";
            }
        }
    }

    /** CREATE TABLE ... PARTITION OF for every partition below the table, and the schemas they are in. */
    static List<String> createPartitions(Connection c, long oid, List<String> schemas) throws SQLException {
        PostgresDialect d = PostgresDialect.INSTANCE;
        List<String> statements = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(TREE)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    schemas.add(rs.getString(2));
                    statements.add("CREATE TABLE " + d.table(new TableId(rs.getString(2), rs.getString(3)))
                            + " PARTITION OF " + d.table(new TableId(rs.getString(4), rs.getString(5))) + " "
                            + rs.getString(6) + (rs.getString(7) == null ? "" : " PARTITION BY " + rs.getString(7)));
                }
            }
        }
        return statements;
    }

    /** The partitions below the table by oid, with their names now. */
    static Map<Long, TableId> partitions(Connection c, long oid) throws SQLException {
        Map<Long, TableId> partitions = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(TREE)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    partitions.put(rs.getLong(1), new TableId(rs.getString(2), rs.getString(3)));
                }
            }
        }
        return partitions;
    }

    /** The topmost partitioned table above a partition, or null for a table that is no partition (now). */
    static Long root(Connection c, long oid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT r.oid FROM pg_class c JOIN pg_class r ON r.oid = pg_partition_root(c.oid)"
                        + " WHERE c.oid = ? AND c.relispartition")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : null;
            }
        }
    }
}
