package io.livemigrate.engine.postgres;

import io.livemigrate.engine.Fence;

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
 * PostgreSQL's {@code read-only} fence: the application's roles get {@code default_transaction_read_only = on} in
 * the source database (only there: the target may share the server), and their sessions in it are ended, since
 * a role setting only applies to new sessions. Reconnecting clients can read but not write. Lifting restores each
 * role's previous setting exactly (or resets it when there was none).
 */
final class PostgresRoleFence implements Fence {

    private static final String SETTING = """
            SELECT s.setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
            JOIN pg_database d ON d.oid = s.setdatabase WHERE r.rolname = ? AND d.datname = ?""";

    private final DataSource source;
    private final String database;
    private final List<String> roles;

    PostgresRoleFence(DataSource source, String database, List<String> roles) {
        this.source = source;
        this.database = database;
        this.roles = List.copyOf(roles);
    }

    /** {@code role=previous value} per line, {@code role=} where the role had no setting. */
    @Override
    public String prepare() throws SQLException {
        StringBuilder restore = new StringBuilder();
        try (Connection c = source.getConnection(); PreparedStatement ps = c.prepareStatement(SETTING)) {
            for (String role : roles) {
                ps.setString(1, role);
                ps.setString(2, database);
                String previous = "";
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getArray(1) != null) {
                        for (String item : (String[]) rs.getArray(1).getArray()) {
                            if (item.startsWith("default_transaction_read_only=")) {
                                previous = item.substring(item.indexOf('=') + 1);
                            }
                        }
                    }
                }
                restore.append(role).append('=').append(previous).append('\n');
            }
        }
        return restore.toString();
    }

    @Override
    public void apply() throws SQLException {
        try (Connection c = source.getConnection(); Statement st = c.createStatement()) {
            for (String role : roles) {
                st.execute("ALTER ROLE " + PostgresCutoverDialect.quote(role) + " IN DATABASE "
                        + PostgresCutoverDialect.quote(database) + " SET default_transaction_read_only = on");
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    + " WHERE usename = ANY(?) AND datname = ? AND pid <> pg_backend_pid()")) {
                ps.setArray(1, c.createArrayOf("text", roles.toArray()));
                ps.setString(2, database);
                ps.executeQuery().close();
            }
        }
    }

    @Override
    public void lift(String restore) throws SQLException {
        Map<String, String> previous = new LinkedHashMap<>();
        for (String line : restore.split("\n")) {
            if (line.contains("=")) {
                previous.put(line.substring(0, line.indexOf('=')), line.substring(line.indexOf('=') + 1));
            }
        }
        List<String> statements = new ArrayList<>();
        previous.forEach((role, value) -> statements.add("ALTER ROLE " + PostgresCutoverDialect.quote(role)
                + " IN DATABASE " + PostgresCutoverDialect.quote(database) + (value.isEmpty()
                ? " RESET default_transaction_read_only" : " SET default_transaction_read_only = '"
                + value.replace("'", "''") + "'")));
        try (Connection c = source.getConnection(); Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }

    @Override
    public String describe() {
        return "read-only for roles " + roles + " in database " + database;
    }
}
