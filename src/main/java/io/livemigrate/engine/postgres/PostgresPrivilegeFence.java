package io.livemigrate.engine.postgres;

import io.livemigrate.engine.Fence;
import io.livemigrate.engine.TableId;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PostgreSQL's {@code read-only} fence: the application's roles lose INSERT, UPDATE, DELETE and TRUNCATE on the plan's
 * tables, wherever they get them from (their own grants, ownership, the roles they are members of, PUBLIC), so no
 * session, new or old, writes there however it opens its transaction ({@code BEGIN READ WRITE} included: privileges
 * are checked at every statement, a role setting only for new transactions' defaults). Reads still work. Then their
 * sessions are ended, so no transaction that passed its checks before the fence can commit after it, and the fence
 * fails while a prepared transaction exists in the database (its writes would commit whenever someone commits it).
 *
 * <p>What was revoked is recorded twice: in the job repository ({@link #prepare}, for a rollback) and in
 * {@code livemigrate.fence} on the fenced database itself, in the same transaction as the REVOKE. A switch leaves the
 * old primary fenced ({@link #release}); the side that becomes primary gets back whatever an earlier switch in the
 * other direction revoked there, as its own table records it. {@code complete} lifts what is left.
 */
final class PostgresPrivilegeFence implements Fence {

    static final String TABLE = "livemigrate.fence";
    private static final String PRIVILEGES = "INSERT, UPDATE, DELETE, TRUNCATE";

    /** Grants of write privileges on a table (or its columns) that reach the application's roles. */
    private static final String GRANTS = """
            WITH RECURSIVE app(oid) AS (
                SELECT oid FROM pg_roles WHERE rolname = ANY(?)
                UNION SELECT m.roleid FROM pg_auth_members m JOIN app ON m.member = app.oid)
            SELECT a.privilege_type, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(g.rolname) END, NULL
            FROM aclexplode(coalesce((SELECT relacl FROM pg_class WHERE oid = ?::regclass),
                                     acldefault('r', (SELECT relowner FROM pg_class WHERE oid = ?::regclass)))) a
            LEFT JOIN pg_roles g ON g.oid = a.grantee
            WHERE a.privilege_type IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')
              AND (a.grantee = 0 OR a.grantee IN (SELECT oid FROM app))
            UNION ALL
            SELECT a.privilege_type, CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(g.rolname) END,
                   quote_ident(att.attname)
            FROM pg_attribute att CROSS JOIN LATERAL aclexplode(att.attacl) a
            LEFT JOIN pg_roles g ON g.oid = a.grantee
            WHERE att.attrelid = ?::regclass AND att.attacl IS NOT NULL AND NOT att.attisdropped
              AND a.privilege_type IN ('INSERT', 'UPDATE')
              AND (a.grantee = 0 OR a.grantee IN (SELECT oid FROM app))""";

    private final DataSource server;
    private final DataSource newPrimary;
    private final String database;
    private final String pair;
    private final List<String> roles;
    private final List<TableId> tables;

    /**
     * @param server     the database fenced (the primary now)
     * @param newPrimary the database the switch makes primary
     * @param pair       the name both directions of the plan share, which keys the fence's own record
     * @param tables     the plan's tables on {@code server}
     */
    PostgresPrivilegeFence(DataSource server, DataSource newPrimary, String database, String pair, List<String> roles,
                           List<TableId> tables) {
        this.server = server;
        this.newPrimary = newPrimary;
        this.database = database;
        this.pair = pair;
        this.roles = List.copyOf(roles);
        this.tables = List.copyOf(tables);
    }

    /**
     * The grants the fence will revoke, one per line ({@code table TAB privilege TAB grantee TAB column}). Refuses an
     * application role that is a superuser (no privilege binds it) and a prepared transaction in the database.
     */
    @Override
    public String prepare() throws SQLException {
        try (Connection c = server.getConnection()) {
            refuseSuperusers(c);
            refusePreparedTransactions(c);
            StringBuilder restore = new StringBuilder();
            try (PreparedStatement ps = c.prepareStatement(GRANTS)) {
                for (TableId t : withPartitions(c)) {
                    String table = PostgresDialect.INSTANCE.table(t);
                    ps.setArray(1, c.createArrayOf("text", roles.toArray()));
                    ps.setString(2, table);
                    ps.setString(3, table);
                    ps.setString(4, table);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            restore.append(table).append('\t').append(rs.getString(1)).append('\t')
                                    .append(rs.getString(2)).append('\t')
                                    .append(rs.getString(3) == null ? "" : rs.getString(3)).append('\n');
                        }
                    }
                }
            }
            refuseOwnWritesLost(c, Grant.parse(restore.toString()));
            return restore.toString();
        }
    }

    /**
     * The plan's tables and the partitions of its partitioned tables: a partition has privileges of its own, and an
     * application may write to it directly.
     */
    private List<TableId> withPartitions(Connection c) throws SQLException {
        List<TableId> all = new java.util.ArrayList<>();
        for (TableId t : tables) {
            all.add(t);
            Long oid = PostgresCatalog.oid(c, t).orElse(null);
            if (oid != null) {
                all.addAll(PostgresPartitions.partitions(c, oid).values());
            }
        }
        return all;
    }

    /**
     * The reverse stream writes to the fenced database as livemigrate's own user: it must not lose its writes with the
     * application's (a grant to PUBLIC, or to a role both belong to).
     */
    private static void refuseOwnWritesLost(Connection c, List<Grant> grants) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")) {
            if (rs.next() && rs.getBoolean(1)) {
                return;
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_has_role(current_user, ?, 'MEMBER')")) {
            for (Grant g : grants) {
                boolean shared = g.grantee().equals("PUBLIC");
                if (!shared) {
                    ps.setString(1, g.grantee().replace("\"", ""));
                    try (ResultSet rs = ps.executeQuery()) {
                        shared = rs.next() && rs.getBoolean(1);
                    }
                }
                if (shared) {
                    throw new SQLException("the read-only fence would revoke " + g.privilege() + " on " + g.table()
                            + " from " + g.grantee() + ", through which livemigrate's own user writes too (the reverse "
                            + "stream writes there after the switch): grant livemigrate's user its own privileges on the "
                            + "plan's tables, or take the application's roles out of that role, then run the cutover again");
                }
            }
        }
    }

    @Override
    public void apply() throws SQLException {
        try (Connection c = server.getConnection()) {
            List<Grant> grants = Grant.parse(prepare());
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                ensureTable(st);
                for (Grant g : grants) {
                    st.execute("REVOKE " + g.privilege() + g.columnList() + " ON TABLE " + g.table() + " FROM "
                            + g.grantee());
                }
                record(c, grants);
                c.commit();
            }
            catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
            c.setAutoCommit(true);
            try (PreparedStatement ps = c.prepareStatement("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    + " WHERE usename = ANY(?) AND datname = current_database() AND pid <> pg_backend_pid()")) {
                ps.setArray(1, c.createArrayOf("text", roles.toArray()));
                ps.executeQuery().close();
            }
            // A transaction prepared between prepare() and the REVOKE holds writes nobody can stop now.
            refusePreparedTransactions(c);
        }
    }

    /**
     * What the fenced database recorded, committed with the REVOKE; when it recorded nothing (the fence never
     * committed), what {@link #prepare} read: granting a privilege a role still has changes nothing.
     */
    @Override
    public void lift(String restore) throws SQLException {
        List<Grant> recorded;
        try (Connection c = server.getConnection()) {
            recorded = recorded(c, pair);
        }
        regrant(server, recorded.isEmpty() ? Grant.parse(restore) : null);
    }

    /**
     * Lifts every fence any plan left on this database and drops its record ({@code complete}); returns what it
     * restored, for the operator.
     */
    static List<String> liftAll(Connection c) throws SQLException {
        if (!exists(c)) {
            return List.of();
        }
        List<String> pairs = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT DISTINCT pair FROM " + TABLE)) {
            while (rs.next()) {
                pairs.add(rs.getString(1));
            }
        }
        List<String> done = new ArrayList<>();
        for (String pair : pairs) {
            List<Grant> grants = recorded(c, pair);
            regrant(c, grants, pair);
            done.add("read-only fence of " + pair + ": " + grants.size() + " write grant(s) restored");
        }
        return done;
    }

    /** After the switch: the old primary stays fenced; the new one gets back what a switch the other way revoked. */
    @Override
    public String release(String restore) throws SQLException {
        int restored;
        try (Connection c = newPrimary.getConnection()) {
            restored = recorded(c, pair).size();
        }
        regrant(newPrimary, null);
        return "the application's write privileges stay revoked on the old primary"
                + (restored > 0 ? "; " + restored + " grant(s) an earlier switch revoked restored on the new primary" : "");
    }

    @Override
    public String describe() {
        return "write privileges of roles " + roles + " revoked on " + tables.size() + " table(s) in database " + database;
    }

    /** Grants back {@code grants} (null: everything this pair's fence recorded on that database) and forgets them. */
    private void regrant(DataSource db, List<Grant> grants) throws SQLException {
        try (Connection c = db.getConnection()) {
            regrant(c, grants != null ? grants : recorded(c, pair), pair);
        }
    }

    private static void regrant(Connection c, List<Grant> grants, String pair) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            for (Grant g : grants) {
                st.execute("GRANT " + g.privilege() + g.columnList() + " ON TABLE " + g.table() + " TO " + g.grantee());
            }
            if (exists(c)) {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + TABLE + " WHERE pair = ?")) {
                    ps.setString(1, pair);
                    ps.executeUpdate();
                }
            }
            c.commit();
        }
        catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        }
        finally {
            c.setAutoCommit(autoCommit);
        }
    }

    private static List<Grant> recorded(Connection c, String pair) throws SQLException {
        if (!exists(c)) {
            return List.of();
        }
        StringBuilder lines = new StringBuilder();
        try (PreparedStatement ps = c.prepareStatement("SELECT grants FROM " + TABLE + " WHERE pair = ?")) {
            ps.setString(1, pair);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    lines.append(rs.getString(1));
                }
            }
        }
        return Grant.parse(lines.toString());
    }

    private void record(Connection c, List<Grant> grants) throws SQLException {
        StringBuilder lines = new StringBuilder();
        grants.forEach(g -> lines.append(g.line()).append('\n'));
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + TABLE + " (pair, fenced_at, grants) VALUES "
                + "(?, now()::text, ?)")) {
            ps.setString(1, pair);
            ps.setString(2, lines.toString());
            ps.executeUpdate();
        }
    }

    private static void ensureTable(Statement st) throws SQLException {
        st.execute("CREATE SCHEMA IF NOT EXISTS livemigrate");
        st.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (pair varchar(200) NOT NULL, fenced_at text NOT NULL, "
                + "grants text NOT NULL)");
    }

    private static boolean exists(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT to_regclass('" + TABLE + "')")) {
            return rs.next() && rs.getString(1) != null;
        }
    }

    private void refuseSuperusers(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT string_agg(rolname, ', ') FROM pg_roles "
                + "WHERE rolname = ANY(?) AND (rolsuper OR rolbypassrls)")) {
            ps.setArray(1, c.createArrayOf("text", roles.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && rs.getString(1) != null) {
                    throw new SQLException("application role(s) " + rs.getString(1) + " are superusers: no privilege "
                            + "binds them, so the read-only fence cannot stop their writes. Give the application a "
                            + "role without SUPERUSER, or use fence: proxy-pause");
                }
            }
        }
    }

    private static void refusePreparedTransactions(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*), string_agg(gid, ', ') "
                + "FROM pg_prepared_xacts WHERE database = current_database()")) {
            if (rs.next() && rs.getLong(1) > 0) {
                throw new SQLException(rs.getLong(1) + " prepared transaction(s) (" + rs.getString(2) + ") exist in the "
                        + "source database: their writes would commit whenever someone commits them, past any fence. "
                        + "COMMIT PREPARED or ROLLBACK PREPARED them, then run the cutover again");
            }
        }
    }

    /** One revoked grant; {@code column} empty for a table-wide one. Names are quoted as the server quoted them. */
    record Grant(String table, String privilege, String grantee, String column) {

        String columnList() {
            return column.isEmpty() ? "" : " (" + column + ")";
        }

        String line() {
            return table + '\t' + privilege + '\t' + grantee + '\t' + column;
        }

        static List<Grant> parse(String lines) {
            Map<String, Grant> grants = new LinkedHashMap<>();
            for (String line : lines.split("\n")) {
                String[] f = line.split("\t", -1);
                if (f.length == 4) {
                    Grant g = new Grant(f[0], f[1], f[2], f[3]);
                    grants.put(g.line(), g);
                }
            }
            return new ArrayList<>(grants.values());
        }
    }
}
