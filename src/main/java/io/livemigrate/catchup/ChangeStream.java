package io.livemigrate.catchup;

import io.livemigrate.engine.ChangePosition;

import java.sql.SQLException;
import java.time.Duration;

/**
 * A source's change log from a position on: PostgreSQL logical decoding (pgoutput), MySQL/MariaDB binlog.
 * Single-threaded: one reader polls it.
 */
public interface ChangeStream extends AutoCloseable {

    /** The next event, or null when none arrived within {@code timeout}. */
    ChangeEvent poll(Duration timeout) throws SQLException;

    /**
     * Everything up to {@code applied} is committed on the target: the source may release it (PostgreSQL flush LSN).
     * Called only after the target commit.
     */
    void acknowledge(ChangePosition applied) throws SQLException;

    /**
     * Starts receiving the stream on a thread of its own until the owner's first call, holding at most
     * {@code maxBytes}, so the source sends (and decodes) while the owner is still starting. Engines whose stream
     * reads on a thread of its own anyway (the MySQL binlog client) need nothing here.
     */
    default void receiveAhead(long maxBytes) {
    }

    /** How far behind the source's newest change the stream is, in bytes of log (-1 when unknown). */
    long bytesBehind() throws SQLException;

    @Override
    void close() throws SQLException;
}
