package io.livemigrate.rehearse;

import io.livemigrate.catchup.CatchupState;
import io.livemigrate.core.MigrationResources;
import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.Engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

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

    private static final long POLL_NANOS = 1_000_000L;

    private final MigrationResources resources;
    private final Engine engine;
    private final String plan;
    private Connection markSession;
    private ChangePosition lastMark;
    private long lastMarkStartedNanos;
    private final Object reading = new Object();
    private long lastReadStartedNanos = System.nanoTime() - 1;
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
     * Waits until catch-up has applied past {@code mark} on the target, at most {@code timeout}; whether it has. The
     * target's applied position is read every {@link #POLL_NANOS} while anyone waits, by one thread at a time: a
     * read that started after a waiter last looked answers it too, so the target sees about one read per interval
     * however many sessions wait (catch-up commits a mark within a few milliseconds, so the interval is most of
     * the wait). Gives up, false, once {@code stop} is requested.
     */
    boolean awaitApplied(ChangePosition mark, Duration timeout, RehearsalStop stop)
            throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long looked = System.nanoTime();
            ChangePosition seen = lastApplied;
            if (seen != null && seen.reached(mark)) {
                return true;
            }
            if (looked - deadline >= 0 || stop.requested()) {
                return false;
            }
            synchronized (reading) {
                if (lastReadStartedNanos - looked < 0) {
                    lastReadStartedNanos = System.nanoTime();
                    try (Connection target = resources.target().getConnection()) {
                        target.setAutoCommit(true);
                        CatchupState.read(target, plan).ifPresent(p -> lastApplied = p);
                    }
                }
            }
            seen = lastApplied;
            if (seen != null && seen.reached(mark)) {
                return true;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            LockSupport.parkNanos(POLL_NANOS);
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
