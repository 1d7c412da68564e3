package io.livemigrate.engine.postgres;

import io.livemigrate.engine.ChangePosition;
import org.postgresql.replication.LogSequenceNumber;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

/**
 * The LSN is read inside a marker transaction, before its commit record: every earlier commit ends before it, and
 * the marker's commit (a transactional logical message, which pgoutput delivers as a transaction when asked for
 * messages) ends after it, so an otherwise idle stream still reaches it.
 */
final class PostgresMark {

    private PostgresMark() {
    }

    static ChangePosition mark(Connection source) throws SQLException {
        boolean autoCommit = source.getAutoCommit();
        source.setAutoCommit(false);
        try (Statement st = source.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text, "
                     + "pg_logical_emit_message(true, 'livemigrate', 'mark')")) {
            rs.next();
            String lsn = rs.getString(1);
            source.commit();
            return new ChangePosition("postgresql", Map.of("lsn", lsn));
        }
        finally {
            source.setAutoCommit(autoCommit);
        }
    }

    static boolean reached(ChangePosition applied, ChangePosition mark) {
        return LogSequenceNumber.valueOf(applied.get("lsn")).asLong() >= LogSequenceNumber.valueOf(mark.get("lsn")).asLong();
    }
}
