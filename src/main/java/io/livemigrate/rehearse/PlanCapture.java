package io.livemigrate.rehearse;

import io.livemigrate.engine.Endpoint;
import io.livemigrate.engine.RehearsalDialect;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * A side's plan for a fingerprint's example statement, asked in a replay session under the statement's logged user
 * and settings, as the replay ran it; the plan's text lines joined, or why there is none.
 */
final class PlanCapture {

    private PlanCapture() {
    }

    static String explain(RehearsalDialect dialect, Endpoint side, String sql, List<String> parameters,
                          List<String> settings, String user) {
        try (Connection c = dialect.openSession(side)) {
            try (Statement st = c.createStatement()) {
                for (String s : dialect.actAs(user, side.user())) {
                    st.execute(s);
                }
                for (String s : settings) {
                    st.execute(s);
                }
            }
            c.setAutoCommit(false);
            c.setReadOnly(true);
            try (PreparedStatement ps = dialect.prepare(c, dialect.explain(sql), parameters);
                 ResultSet rs = ps.executeQuery()) {
                StringBuilder plan = new StringBuilder();
                int n = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    StringBuilder line = new StringBuilder();
                    for (int i = 1; i <= n; i++) {
                        if (n > 1) {
                            line.append(i > 1 ? " | " : "").append(rs.getMetaData().getColumnLabel(i)).append('=');
                        }
                        line.append(rs.getString(i));
                    }
                    plan.append(line).append('\n');
                }
                c.rollback();
                return plan.toString().stripTrailing();
            }
        }
        catch (SQLException e) {
            return "(no plan: " + e.getMessage() + ")";
        }
    }
}
