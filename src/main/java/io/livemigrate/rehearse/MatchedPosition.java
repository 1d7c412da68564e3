package io.livemigrate.rehearse;

import io.livemigrate.catchup.CatchupState;
import io.livemigrate.core.MigrationResources;
import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.Engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;

/**
 * The matched position of a replay: a source position taken after the statement finished on the source (the
 * engine's mark, with its marker transaction so a quiet stream still moves past it), and the wait until catch-up has
 * applied past it on the target (livemigrate.catchup_state). The target then holds at least everything the source
 * statement saw, so replication lag never shows as a difference.
 *
 * <p>Marks are shared: a mark that started after a statement finished serves that statement too, so the threads of a
 * rehearsal commit at most one marker transaction at a time on the source, however many statements they replay.
 */
final class MatchedPosition implements AutoCloseable {

    private static final long POLL_MILLIS = 10;
    private static final long STOP_CHECK_MILLIS = 200;

    private final MigrationResources resources;
    private final Engine engine;
    private final String plan;
    private Connection markSession;
    private ChangePosition lastMark;
    private long lastMarkStartedNanos;
    private volatile ChangePosition lastApplied;

    MatchedPosition(MigrationResources resources) {
        this.resources = resources;
        this.engine = resources.engine();
        this.plan = resources.plan().name();
    }

    /** A source position at or after everything committed before {@code finishedNanos} ({@link System#nanoTime()}). */
    synchronized ChangePosition markAfter(long finishedNanos) throws SQLException {
        if (lastMark != null && lastMarkStartedNanos - finishedNanos >= 0) {
            return lastMark;
        }
        if (markSession == null || markSession.isClosed()) {
            markSession = engine.rehearsal().openSession(resources.plan().source());
        }
        long started = System.nanoTime();
        try {
            lastMark = engine.markPosition(markSession, plan);
        }
        catch (SQLException e) {
            markSession.close();
            markSession = null;
            throw e;
        }
        lastMarkStartedNanos = started;
        return lastMark;
    }

    /**
     * Waits until catch-up has applied past {@code mark} on the target, at most {@code timeout}, and no longer than
     * {@value #STOP_CHECK_MILLIS} ms once {@code stop} is requested; whether it has.
     */
    boolean awaitApplied(ChangePosition mark, Duration timeout, RehearsalStop stop)
            throws SQLException, InterruptedException {
        ChangePosition seen = lastApplied;
        if (seen != null && seen.reached(mark)) {
            return true;
        }
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        try (Connection target = resources.target().getConnection()) {
            target.setAutoCommit(true);
            while (!stop.requested()) {
                // in slices, so a stop is seen between them
                long slice = Math.min(deadline, System.currentTimeMillis() + STOP_CHECK_MILLIS);
                Optional<ChangePosition> applied = CatchupState.awaitApplied(target, plan, mark, slice, POLL_MILLIS,
                        s -> { });
                if (applied.isPresent()) {
                    lastApplied = applied.get();
                    return true;
                }
                if (slice >= deadline) {
                    return false;
                }
            }
            return false;
        }
    }

    @Override
    public synchronized void close() {
        if (markSession != null) {
            try {
                markSession.close();
            }
            catch (SQLException ignored) {
                // closing anyway
            }
        }
    }
}
