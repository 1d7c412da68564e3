package io.livemigrate.engine.postgres;

import io.livemigrate.engine.Endpoint;
import io.livemigrate.engine.RehearsalDialect;
import io.livemigrate.engine.StatementLogFormat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * PostgreSQL's side of the rehearsal: csvlog and jsonlog; replay sessions that log nothing themselves (when the login
 * may change {@code log_min_duration_statement}, i.e. a superuser or, on 15+, a role granted SET on it) and are
 * otherwise recognised by their application name; {@code SET ROLE} to the logged user; logged parameters bound
 * untyped, as the extended protocol's text values, so the server infers their types as it did for the application.
 */
final class PostgresRehearsal implements RehearsalDialect {

    static final PostgresRehearsal INSTANCE = new PostgresRehearsal();
    static final String APPLICATION_NAME = "livemigrate-rehearse";

    private PostgresRehearsal() {
    }

    @Override
    public List<StatementLogFormat> logFormats() {
        return List.of(new PostgresCsvLog(), new PostgresJsonLog());
    }

    @Override
    public String loggingSettings() {
        return "logging_collector = on, log_destination = 'csvlog' (or 'jsonlog' on 15+), and "
                + "log_min_duration_statement = 0 (or log_statement = 'all')";
    }

    @Override
    public Connection openSession(Endpoint endpoint) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", endpoint.user());
        p.setProperty("password", endpoint.password().reveal());
        p.setProperty("ApplicationName", APPLICATION_NAME);
        p.setProperty("connectTimeout", "10");
        Connection c = DriverManager.getConnection(endpoint.url(), p);
        c.setAutoCommit(true);
        for (String quiet : new String[] {"SET log_min_duration_statement = -1", "SET log_statement = 'none'"}) {
            try (Statement st = c.createStatement()) {
                st.execute(quiet);
            }
            catch (SQLException notAllowed) {
                // not a superuser: the reader drops this session's entries by its application name instead
            }
        }
        return c;
    }

    @Override
    public List<String> actAs(String role, String loginUser) {
        if (role == null || role.equals(loginUser)) {
            return List.of("RESET ROLE");
        }
        return List.of("SET ROLE \"" + role.replace("\"", "\"\"") + "\"");
    }

    @Override
    public PreparedStatement prepare(Connection session, String sql, List<String> parameters) throws SQLException {
        List<Integer> order = new ArrayList<>();
        PreparedStatement ps = session.prepareStatement(jdbcPlaceholders(sql, order));
        for (int i = 0; i < order.size(); i++) {
            int n = order.get(i);
            String value = n >= 1 && n <= parameters.size() ? parameters.get(n - 1) : null;
            if (value == null) {
                ps.setNull(i + 1, Types.OTHER);
            }
            else {
                ps.setObject(i + 1, value, Types.OTHER);
            }
        }
        return ps;
    }

    @Override
    public String explain(String sql) {
        return "EXPLAIN " + sql;
    }

    /**
     * {@code sql} with each {@code $n} outside literals, quoted identifiers, comments and dollar quotes turned into
     * JDBC's {@code ?}; {@code order} receives n for each, in order ({@code $1} may appear twice). A literal {@code ?}
     * (an operator such as jsonb's) is doubled so the driver passes it through.
     */
    static String jdbcPlaceholders(String sql, List<Integer> order) {
        StringBuilder out = new StringBuilder(sql.length());
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (c == '\'' || c == '"') {
                int end = i + 1;
                while (end < n) {
                    if (sql.charAt(end) == c) {
                        if (end + 1 < n && sql.charAt(end + 1) == c) {
                            end += 2;
                            continue;
                        }
                        break;
                    }
                    end++;
                }
                end = Math.min(end + 1, n);
                out.append(sql, i, end);
                i = end;
            }
            else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int end = sql.indexOf('\n', i);
                end = end < 0 ? n : end;
                out.append(sql, i, end);
                i = end;
            }
            else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int end = sql.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                out.append(sql, i, end);
                i = end;
            }
            else if (c == '$' && i + 1 < n && Character.isDigit(sql.charAt(i + 1))
                    && (i == 0 || !Character.isLetterOrDigit(sql.charAt(i - 1)) && sql.charAt(i - 1) != '_')) {
                int end = i + 1;
                while (end < n && Character.isDigit(sql.charAt(end))) {
                    end++;
                }
                order.add(Integer.parseInt(sql.substring(i + 1, end)));
                out.append('?');
                i = end;
            }
            else if (c == '$') {
                // a dollar quote: $$...$$ or $tag$...$tag$
                int tagEnd = sql.indexOf('$', i + 1);
                String tag = tagEnd < 0 ? null : sql.substring(i, tagEnd + 1);
                if (tag != null && tag.chars().skip(1).limit(tag.length() - 2L)
                        .allMatch(ch -> Character.isLetterOrDigit(ch) || ch == '_')) {
                    int close = sql.indexOf(tag, tagEnd + 1);
                    int end = close < 0 ? n : close + tag.length();
                    out.append(sql, i, end);
                    i = end;
                }
                else {
                    out.append(c);
                    i++;
                }
            }
            else if (c == '?') {
                out.append("??");
                i++;
            }
            else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
