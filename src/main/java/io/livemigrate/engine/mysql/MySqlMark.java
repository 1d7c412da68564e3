package io.livemigrate.engine.mysql;

import io.livemigrate.engine.BinlogPosition;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;

/**
 * The binlog position now, then a marker transaction after it ({@code livemigrate.cutover_marker} on the source),
 * which moves an otherwise idle stream past the position. Under the cutover's {@code read_only} fence the marker
 * write needs SUPER or READ ONLY ADMIN, which livemigrate's own user has and the application's must not.
 */
final class MySqlMark {

    static final String MARKER_TABLE = "cutover_marker";
    private static final int ER_BAD_DB_ERROR = 1049;
    private static final int ER_NO_SUCH_TABLE = 1146;

    private MySqlMark() {
    }

    static BinlogPosition mark(Connection source, String plan) throws SQLException {
        BinlogPosition position = MySqlPosition.capture(source);
        try {
            writeMarker(source, plan);
        }
        catch (SQLException e) {
            if (e.getErrorCode() != ER_BAD_DB_ERROR && e.getErrorCode() != ER_NO_SUCH_TABLE) {
                throw e;
            }
            // The first mark on this server creates the table. Only then: CREATE ... IF NOT EXISTS is written to
            // the binlog even when there is nothing to create, and a rehearsal marks after every statement.
            try (Statement st = source.createStatement()) {
                st.execute("CREATE DATABASE IF NOT EXISTS livemigrate");
                st.execute("CREATE TABLE IF NOT EXISTS livemigrate." + MARKER_TABLE
                        + " (plan varchar(200) PRIMARY KEY, marked_at varchar(40))");
            }
            writeMarker(source, plan);
        }
        if (!source.getAutoCommit()) {
            source.commit();
        }
        return position;
    }

    private static void writeMarker(Connection source, String plan) throws SQLException {
        try (PreparedStatement ps = source.prepareStatement(
                "REPLACE INTO livemigrate." + MARKER_TABLE + " (plan, marked_at) VALUES (?, ?)")) {
            ps.setString(1, plan);
            ps.setString(2, Instant.now().toString());
            ps.executeUpdate();
        }
    }
}
