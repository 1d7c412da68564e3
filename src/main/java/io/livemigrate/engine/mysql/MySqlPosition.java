package io.livemigrate.engine.mysql;

import io.livemigrate.engine.BinlogPosition;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The binlog coordinates change capture starts from: file, position and the GTID set at that point.
 *
 * <p>Reading them before the copy's first read is enough, without locking: catch-up replays full row images from
 * here, so rows the copy read later and changes replayed over them converge to the source.
 */
final class MySqlPosition {

    /** Spellings across versions: MySQL 8.4 dropped the first, MariaDB 10.5+ added the last. */
    private static final List<String> STATUS_STATEMENTS =
            List.of("SHOW MASTER STATUS", "SHOW BINARY LOG STATUS", "SHOW BINLOG STATUS");

    private MySqlPosition() {
    }

    static BinlogPosition capture(Connection source) throws SQLException {
        boolean mariaDb = MySqlServer.isMariaDb(source);
        String file = null;
        long pos = -1;
        SQLException lastError = null;
        for (String statement : STATUS_STATEMENTS) {
            try (Statement st = source.createStatement(); ResultSet rs = st.executeQuery(statement)) {
                if (!rs.next()) {
                    throw new IllegalStateException("binary logging is off on the source, so there is no binlog "
                            + "position to catch up from; start the server with log_bin enabled, "
                            + "binlog_format=ROW, binlog_row_image=FULL and a unique server_id");
                }
                file = rs.getString(1);
                pos = rs.getLong(2);
                lastError = null;
                break;
            } catch (SQLException e) {
                lastError = e;
            }
        }
        if (lastError != null) {
            throw lastError;
        }
        return new BinlogPosition(file, pos, gtid(source, mariaDb), mariaDb ? "mariadb" : "mysql");
    }

    /** MariaDB's domain-server-sequence list, or MySQL's executed set when GTIDs are on; else empty. */
    private static String gtid(Connection source, boolean mariaDb) throws SQLException {
        String sql;
        if (mariaDb) {
            sql = "SELECT @@GLOBAL.gtid_binlog_pos";
        } else {
            String mode = MySqlServer.variables(source, "gtid_mode").get("gtid_mode");
            if (mode == null || !mode.equalsIgnoreCase("ON")) {
                return "";
            }
            sql = "SELECT @@GLOBAL.gtid_executed";
        }
        try (Statement st = source.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            String gtid = rs.next() ? rs.getString(1) : null;
            // MySQL prints a long set over several lines
            return gtid == null ? "" : gtid.replaceAll("\\s+", "");
        }
    }
}
