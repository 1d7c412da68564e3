package io.livemigrate.engine;


import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

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
     * Where the stream stands while it is idle, when that is past the last acknowledged position; empty when it has
     * not moved or the engine has nothing to release. Called only with every event polled so far applied and
     * committed, and none pending: the position covers nothing of the plan's that the target lacks. PostgreSQL: the
     * walsender's position from its keepalives, which moves on with the WAL that other tables and databases write;
     * a slot confirmed only at the plan's own commits would hold all of that WAL while the plan's tables are quiet,
     * and a restart would decode it again.
     */
    default Optional<ChangePosition> idlePosition() throws SQLException {
        return Optional.empty();
    }

    /** How far behind the source's newest change the stream is, in bytes of log (-1 when unknown). */
    long bytesBehind() throws SQLException;

    @Override
    void close() throws SQLException;
}
