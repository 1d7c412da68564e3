package io.livemigrate.engine.mysql;

import io.livemigrate.engine.Endpoint;
import io.livemigrate.engine.RehearsalDialect;
import io.livemigrate.engine.StatementLogFormat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;

/**
 * MySQL/MariaDB's side of the rehearsal: the slow and the general log; replay sessions that keep themselves out of
 * both logs where the login may ({@code sql_log_off} needs SUPER or, on MySQL 8, SYSTEM_VARIABLES_ADMIN); no role
 * switch (MySQL cannot become another user inside a session, so the plan's user replays everything); the logs inline
 * parameter values, so statements run as logged.
 */
final class MySqlRehearsal implements RehearsalDialect {

    static final MySqlRehearsal INSTANCE = new MySqlRehearsal();

    private MySqlRehearsal() {
    }

    @Override
    public List<StatementLogFormat> logFormats() {
        return List.of(new MySqlSlowLog(), new MySqlGeneralLog());
    }

    @Override
    public String loggingSettings() {
        return "slow_query_log = 1 with long_query_time = 0 (or general_log = 1), log_output = 'FILE'";
    }

    @Override
    public Connection openSession(Endpoint endpoint) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", endpoint.user());
        p.setProperty("password", endpoint.password().reveal());
        p.setProperty("connectTimeout", "10000");
        p.setProperty("allowPublicKeyRetrieval", "true");
        p.setProperty("characterEncoding", "UTF-8");
        p.setProperty("connectionAttributes", "program_name:livemigrate-rehearse");
        Connection c = DriverManager.getConnection(endpoint.url(), p);
        c.setAutoCommit(true);
        for (String quiet : new String[] {"SET SESSION sql_log_off = 1", "SET SESSION slow_query_log = 0",
                "SET SESSION long_query_time = 31536000"}) {
            try (Statement st = c.createStatement()) {
                st.execute(quiet);
            }
            catch (SQLException notAllowed) {
                // not allowed or not a session variable on this server: the next one may do it
            }
        }
        return c;
    }

    @Override
    public List<String> actAs(String role, String loginUser) {
        return List.of();
    }

    @Override
    public PreparedStatement prepare(Connection session, String sql, List<String> parameters) throws SQLException {
        PreparedStatement ps = session.prepareStatement(sql);
        for (int i = 0; i < parameters.size() && i < ps.getParameterMetaData().getParameterCount(); i++) {
            ps.setString(i + 1, parameters.get(i));
        }
        return ps;
    }

    @Override
    public String explain(String sql) {
        return "EXPLAIN " + sql;
    }
}
