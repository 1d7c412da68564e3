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

    /** How far behind the source's newest change the stream is, in bytes of log (-1 when unknown). */
    long bytesBehind() throws SQLException;

    @Override
    void close() throws SQLException;
}
