package io.livemigrate.engine.postgres;

import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The publication pgoutput streams: named after the plan's capture name, {@code FOR TABLE} the plan's tables. It is
 * created before the slot, because pgoutput reads publication membership as of each change's WAL position: a table
 * added later has its earlier changes silently skipped.
 */
final class PostgresPublication {

    /**
     * The tables published, and the tables named in the publication: a partitioned table is published as its
     * partitions (publish_via_partition_root stays off: with it on, a TRUNCATE of one partition is not published
     * at all), so it is a member only through pg_publication_rel.
     */
    private static final String MEMBERS = """
            SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = ?
            UNION
            SELECT n.nspname, c.relname FROM pg_publication p JOIN pg_publication_rel r ON r.prpubid = p.oid
            JOIN pg_class c ON c.oid = r.prrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE p.pubname = ?""";

    private static final String IDENTITY = """
            SELECT c.relreplident,
                   (SELECT string_agg(a.attname, ',' ORDER BY k.ord) FROM pg_index i
                    CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                    WHERE i.indrelid = c.oid AND i.indisreplident),
                   (SELECT ic.relname FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                    WHERE i.indrelid = c.oid AND i.indisreplident)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ? AND c.relname = ?""";

    private PostgresPublication() {
    }

    /** Creates the publication for {@code tables}, or adds the tables it lacks. */
    static void ensure(Connection c, String name, List<TableId> tables) throws SQLException {
        if (tables.isEmpty()) {
            return;
        }
        for (TableId id : tables) {
            // Publishing a table PostgreSQL has no key to publish for would make the application's UPDATEs fail.
            java.util.Optional<TableInfo> info = PostgresCatalog.describe(c, id);
            String problem = info.isEmpty() ? null : identityProblem(c, info.get());
            if (problem != null) {
                throw new IllegalStateException(problem);
            }
        }
        Set<TableId> members = members(c, name);
        List<TableId> missing = tables.stream().filter(t -> !members.contains(t)).toList();
        if (members.isEmpty() && !exists(c, name)) {
            execute(c, "CREATE PUBLICATION " + quote(name) + " FOR TABLE " + list(tables));
        }
        else if (!missing.isEmpty()) {
            execute(c, "ALTER PUBLICATION " + quote(name) + " ADD TABLE " + list(missing));
        }
    }

    /** The tables the publication covers; empty when it does not exist. */
    static Set<TableId> members(Connection c, String name) throws SQLException {
        Set<TableId> members = new TreeSet<>();
        try (PreparedStatement ps = c.prepareStatement(MEMBERS)) {
            ps.setString(1, name);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    members.add(new TableId(rs.getString(1), rs.getString(2)));
                }
            }
        }
        return members;
    }

    static boolean exists(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Why PostgreSQL would not publish the key livemigrate applies changes by, or null when it does: REPLICA IDENTITY
     * DEFAULT publishes the primary key only; a table keyed by a unique index needs REPLICA IDENTITY USING INDEX
     * (without it, a published table even refuses the application's UPDATEs and DELETEs).
     */
    static String identityProblem(Connection c, TableInfo table) throws SQLException {
        String t = PostgresDialect.INSTANCE.table(table.id());
        if (!table.hasKey()) {
            return "table " + table.id() + " has no primary key and no non-null unique key, so its changes cannot be "
                    + "applied by key: add a primary key (or a unique index on NOT NULL columns) on source and target";
        }
        try (PreparedStatement ps = c.prepareStatement(IDENTITY)) {
            ps.setString(1, table.id().schema());
            ps.setString(2, table.id().name());
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return "table " + table.id() + " no longer exists on the source";
                }
                String ident = rs.getString(1);
                String key = String.join(",", table.keyColumns());
                String index = table.keyName() != null && table.keyName().startsWith("UNIQUE ")
                        ? table.keyName().substring("UNIQUE ".length()) : null;
                String fix = index == null ? "ALTER TABLE " + t + " REPLICA IDENTITY DEFAULT"
                        : "ALTER TABLE " + t + " REPLICA IDENTITY USING INDEX " + PostgresDialect.INSTANCE.quote(index);
                return switch (ident) {
                    case "f" -> null;
                    case "d" -> index == null ? null : "table " + table.id() + " has no primary key; it is keyed by "
                            + table.keyName() + ", but REPLICA IDENTITY DEFAULT publishes no key for updates and "
                            + "deletes (PostgreSQL refuses them on a published table): " + fix;
                    case "i" -> key.equals(rs.getString(2)) ? null : "table " + table.id() + ": its replica identity "
                            + "index " + rs.getString(3) + " (" + rs.getString(2) + ") is not the key livemigrate "
                            + "applies changes by, " + table.keyName() + " (" + key + "): " + fix;
                    default -> "table " + table.id() + " has REPLICA IDENTITY NOTHING: PostgreSQL publishes no key "
                            + "for its updates and deletes: " + fix;
                };
            }
        }
    }

    private static String list(List<TableId> tables) {
        List<String> names = new ArrayList<>();
        tables.forEach(t -> names.add(PostgresDialect.INSTANCE.table(t)));
        return String.join(", ", names);
    }

    private static String quote(String name) {
        return PostgresDialect.INSTANCE.quote(name);
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
