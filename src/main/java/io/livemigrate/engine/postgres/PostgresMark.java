package io.livemigrate.engine.postgres;

import io.livemigrate.engine.WalPosition;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The mark is the LSN of a transactional logical message, which pgoutput delivers as a transaction of its own when
 * asked for messages (so an otherwise idle stream still reaches it). A message is inserted into the WAL after the
 * commit record of every transaction the source acknowledged before: with {@code synchronous_commit = off} a commit is
 * acknowledged once its record is inserted, before the WAL is written, so the write position
 * ({@code pg_current_wal_lsn()}) could lie before such a commit and a drain to it would miss that transaction.
 * Catch-up records a transaction's end position, so it has applied the marker's transaction, and every one that
 * committed before it, once its applied position is at or past the message.
 */
final class PostgresMark {

    /** The logical message's prefix, by which the change stream knows a mark's transaction. */
    static final String PREFIX = "livemigrate";

    private PostgresMark() {
    }

    static WalPosition mark(Connection source) throws SQLException {
        boolean autoCommit = source.getAutoCommit();
        source.setAutoCommit(false);
        try (Statement st = source.createStatement()) {
            // A logical walsender sends only WAL that is flushed: with synchronous_commit off the mark would wait
            // for the WAL writer (wal_writer_delay, 200 ms by default) while the drain holds the application's
            // writes. A synchronous commit flushes it, and everything before it, at once.
            st.execute("SET LOCAL synchronous_commit = on");
            String lsn;
            try (ResultSet rs = st.executeQuery("SELECT pg_logical_emit_message(true, '" + PREFIX + "', 'mark')::text")) {
                rs.next();
                lsn = rs.getString(1);
            }
            source.commit();
            return new WalPosition(null, lsn);
        }
        finally {
            source.setAutoCommit(autoCommit);
        }
    }
}
