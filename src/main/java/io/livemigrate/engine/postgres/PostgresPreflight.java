package io.livemigrate.engine.postgres;

import io.livemigrate.engine.Endpoint;
import io.livemigrate.engine.Finding;
import io.livemigrate.engine.TableInfo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What would stop a migration before it starts: change-capture settings and role rights on the source, the right to
 * create tables on the target, and column types the target may lack.
 */
final class PostgresPreflight {

    private static final String SOURCE_SETTINGS = """
            SELECT current_setting('wal_level'), current_setting('max_replication_slots')::int,
                   current_setting('max_wal_senders')::int, current_setting('max_slot_wal_keep_size'),
                   r.rolreplication OR r.rolsuper, current_user
            FROM pg_roles r WHERE r.rolname = current_user""";

    /**
     * livemigrate's slots on the source's server that nothing streams from, with the WAL each keeps: a slot left by
     * an abandoned migration keeps every WAL segment written since, until the disk is full.
     */
    private static final String IDLE_SLOTS = """
            SELECT slot_name, database, pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn))
            FROM pg_replication_slots
            WHERE NOT active AND slot_name LIKE 'livemigrate\\_%' AND restart_lsn IS NOT NULL
              AND pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn) >= ?
            ORDER BY pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn) DESC""";

    /** Less WAL than this is what a migration between its copy and its catch-up normally keeps: not worth a word. */
    static final long IDLE_SLOT_WARNING_BYTES = 256L << 20;

    private static final String TARGET_RIGHTS = """
            SELECT has_database_privilege(current_user, current_database(), 'CREATE'), current_user, current_database()""";

    /**
     * Each column's type, looked through domains and arrays to what it is built on, when that is user-made:
     * {@code kind} is the typtype ('b' base, 'c' composite, 'r'/'m' range, 'p' pseudo), {@code ext} the extension
     * that owns it, if any.
     */
    private static final String UNUSUAL_TYPES = """
            WITH RECURSIVE under(attname, typ) AS (
                SELECT attname, atttypid FROM pg_attribute WHERE attrelid = ? AND attnum > 0 AND NOT attisdropped
                UNION
                SELECT u.attname, CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.typelem END
                FROM under u JOIN pg_type t ON t.oid = u.typ
                WHERE t.typtype = 'd' OR (t.typcategory = 'A' AND t.typelem <> 0))
            SELECT u.attname, format_type(t.oid, NULL), t.typtype,
                   (SELECT e.extname FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
                    WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
            FROM under u JOIN pg_type t ON t.oid = u.typ
            WHERE NOT (t.typcategory = 'A' AND t.typelem <> 0)
              AND (t.typtype = 'p' OR (t.oid >= 16384 AND t.typtype IN ('b', 'c', 'r', 'm')))
            ORDER BY 1, 2""";

    private PostgresPreflight() {
    }

    static List<Finding> checkServer(Connection c, Endpoint endpoint, boolean isSource) throws SQLException {
        return isSource ? checkSource(c) : checkTarget(c);
    }

    private static List<Finding> checkSource(Connection c) throws SQLException {
        List<Finding> findings = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(SOURCE_SETTINGS)) {
            if (!rs.next()) {
                return findings;
            }
            String walLevel = rs.getString(1);
            if (!"logical".equals(walLevel)) {
                findings.add(Finding.error("source", "wal_level is '" + walLevel + "'; change capture needs 'logical'",
                        "set wal_level = logical in postgresql.conf and restart"));
            }
            if (rs.getInt(2) == 0) {
                findings.add(Finding.error("source", "max_replication_slots is 0; change capture needs a slot",
                        "set max_replication_slots to at least 1 in postgresql.conf and restart"));
            }
            if (rs.getInt(3) == 0) {
                findings.add(Finding.error("source", "max_wal_senders is 0; change capture needs a WAL sender",
                        "set max_wal_senders to at least 1 in postgresql.conf and restart"));
            }
            String keep = rs.getString(4);
            if (!"-1".equals(keep)) {
                findings.add(Finding.warning("source", "max_slot_wal_keep_size is " + keep
                                + ": the slot may be invalidated if the copy takes long; WAL kept is at most " + keep,
                        "set max_slot_wal_keep_size = -1, or make sure the copy finishes before that much WAL is written"));
            }
            if (!rs.getBoolean(5)) {
                findings.add(Finding.error("source", "role " + rs.getString(6)
                                + " has neither REPLICATION nor superuser; it cannot stream changes",
                        "ALTER ROLE " + PostgresDialect.INSTANCE.quote(rs.getString(6)) + " REPLICATION"));
            }
        }
        findings.addAll(idleSlots(c));
        return findings;
    }

    private static List<Finding> idleSlots(Connection c) throws SQLException {
        List<Finding> findings = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(IDLE_SLOTS)) {
            ps.setLong(1, IDLE_SLOT_WARNING_BYTES);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String slot = rs.getString(1);
                    findings.add(Finding.warning("source", "replication slot " + slot + " (database " + rs.getString(2)
                                    + ") is not streaming and keeps " + rs.getString(3) + " of WAL on the server",
                            "run catchup for its plan to release it, or, if that migration is abandoned, drop it: "
                                    + "SELECT pg_drop_replication_slot('" + slot + "')"));
                }
            }
        }
        catch (SQLException e) {
            // a standby has no current WAL position to measure against; nothing to say there
            if (!"55000".equals(e.getSQLState())) {
                throw e;
            }
        }
        return findings;
    }

    private static List<Finding> checkTarget(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(TARGET_RIGHTS)) {
            rs.next();
            if (rs.getBoolean(1)) {
                return List.of();
            }
            String role = PostgresDialect.INSTANCE.quote(rs.getString(2));
            String db = PostgresDialect.INSTANCE.quote(rs.getString(3));
            return List.of(Finding.error("target", "role " + rs.getString(2) + " cannot create schemas in database "
                    + rs.getString(3), "GRANT CREATE ON DATABASE " + db + " TO " + role));
        }
    }

    static List<Finding> checkTable(Connection c, TableInfo table) throws SQLException {
        String subject = table.id().qualified();
        long oid = PostgresCatalog.oid(c, table.id()).orElse(-1L);
        if (oid < 0) {
            return List.of(Finding.error(subject, "table does not exist on the source", "check the plan's table filter"));
        }
        List<Finding> findings = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT has_table_privilege(?::oid, 'SELECT'), current_user")) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    findings.add(Finding.error(subject, "role " + rs.getString(2) + " cannot read the table",
                            "GRANT SELECT ON " + PostgresDialect.INSTANCE.table(table.id()) + " TO "
                                    + PostgresDialect.INSTANCE.quote(rs.getString(2))));
                }
            }
        }
        if (table.hasKey()) {
            String identity = PostgresPublication.identityProblem(c, table);
            if (identity != null) {
                findings.add(Finding.error(subject, identity.substring(0, identity.lastIndexOf(": ")),
                        identity.substring(identity.lastIndexOf(": ") + 2)));
            }
        }
        try (PreparedStatement ps = c.prepareStatement(UNUSUAL_TYPES)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getString(4) == null) {
                        findings.add(typeFinding(subject, rs.getString(1), rs.getString(2), rs.getString(3)));
                    }
                }
            }
        }
        return findings;
    }

    /**
     * Extension types are created by prepare-schema (CREATE EXTENSION on the target, in the source's schema for it):
     * an error only when the target server cannot install that extension, which no rerun fixes.
     */
    static List<Finding> checkExtensions(Connection source, Connection target, TableInfo table) throws SQLException {
        long oid = PostgresCatalog.oid(source, table.id()).orElse(-1L);
        if (oid < 0) {
            return List.of();
        }
        Map<String, String> needed = new TreeMap<>();
        try (PreparedStatement ps = source.prepareStatement(UNUSUAL_TYPES)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getString(4) != null) {
                        needed.putIfAbsent(rs.getString(4), "column " + rs.getString(1) + " (type " + rs.getString(2) + ")");
                    }
                }
            }
        }
        List<Finding> findings = new ArrayList<>();
        for (Map.Entry<String, String> e : needed.entrySet()) {
            try (PreparedStatement ps = target.prepareStatement(
                    "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = ?)"
                            + " OR EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = ?)")) {
                ps.setString(1, e.getKey());
                ps.setString(2, e.getKey());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        findings.add(Finding.error(table.id().qualified(), e.getValue() + " comes from extension "
                                        + e.getKey() + ", which the target server does not have",
                                "install the extension's package on the target server (for " + e.getKey()
                                        + ": the one that ships it, e.g. postgresql-contrib), or exclude the table"));
                    }
                }
            }
        }
        return findings;
    }

    private static Finding typeFinding(String subject, String column, String type, String kind) {
        if ("p".equals(kind)) {
            return Finding.error(subject, "column " + column + " has pseudo-type " + type + ", which holds no data to copy",
                    "exclude the table or change the column's type");
        }
        String what = switch (kind) {
            case "c" -> "composite type";
            case "r", "m" -> "range type";
            default -> "user-defined base type";
        };
        return Finding.warning(subject, "column " + column + ": " + what + " " + type
                + " is not created by livemigrate; it must exist on the target", "create " + type + " on the target first");
    }
}
