package io.livemigrate.catchup;

import io.livemigrate.engine.ChangePosition;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Parallel catch-up's commits, one at a time (docs/design.md, "Parallel apply"). The connections apply concurrently
 * but take turns to commit, and each commit records, in the same target transaction as its data, the watermark and
 * the window past it as they are once it commits ({@link AppliedWindow}), and its changed keys under the next batch
 * number ({@link ChangedKeys}). So the state on the target only ever moves forward, batch numbers commit in order (a
 * reader that sees batch n committed sees every lower one), and the durable watermark is what may be acknowledged.
 *
 * <p>A turn is held only for the state rows and the commit, never while rows are written, so a connection holding it
 * never waits for another connection's locks; except a transaction applied alone (too large to hold, it writes its
 * changed keys as it goes and so takes its turn early), while no other connection has anything to commit.
 */
final class CommitSequencer {

    /**
     * How long a connection waits for its turn before it rolls back and retries in source order: a turn held longer
     * means its holder waits for this connection's locks (a deferred constraint checked at commit).
     */
    static final long TURN_WAIT_SECONDS = 10;

    /** What the target holds. */
    record Written(ChangePosition position, Instant commitTime, long covered) {
    }

    private final ReentrantLock turn = new ReentrantLock();
    private final AppliedWindow window;
    private final String plan;
    private final String durableStatement;
    /** Guarded by {@link #turn}. */
    private long lastBatch;
    /** Guarded by {@link #turn}: when a commit was last made durable ({@link System#nanoTime()}). */
    private long lastDurable;
    private volatile Written written;
    private volatile ChangePosition durable;

    /**
     * @param durableStatement the engine's statement that makes a commit durable; null when every commit is
     * @param lastBatch        the highest batch number of changed keys on the target
     */
    CommitSequencer(AppliedWindow window, String plan, String durableStatement, long lastBatch, ChangePosition start,
                    Instant startCommitTime, long now) {
        this.window = window;
        this.plan = plan;
        this.durableStatement = durableStatement;
        this.lastBatch = lastBatch;
        this.lastDurable = now;
        this.written = new Written(start, startCommitTime, 0);
    }

    /** One connection's batch numbers: the first write of changed keys in a transaction takes its turn to commit. */
    ChangedKeys.BatchNumbers batchNumbers() {
        return new ChangedKeys.BatchNumbers() {
            private long batch = -1;

            @Override
            public long current() throws SQLException {
                if (batch < 0) {
                    takeTurn();
                    batch = ++lastBatch;
                }
                return batch;
            }

            @Override
            public void ended(boolean committed) {
                if (batch >= 0) {
                    batch = -1;
                    turn.unlock();
                }
            }
        };
    }

    /**
     * Commits {@code applier}'s open target transaction, whose rows are written (its batch flushed), holding the
     * transactions {@code seqs}, with the watermark and window they make. Durable when asked, when the watermark
     * passes a cutover's mark, or when the last durable commit is {@link PositionRecorder#ACK_INTERVAL_NANOS} old.
     */
    void commit(ChangeApplier applier, Set<Long> seqs, boolean durableAsked) throws SQLException {
        takeTurn();
        try {
            AppliedWindow.Snapshot after = window.ifCommitted(seqs);
            long now = System.nanoTime();
            boolean makeDurable = durableAsked || after.passesMark()
                    || now - lastDurable >= PositionRecorder.ACK_INTERVAL_NANOS;
            applier.commit(c -> record(c, after), makeDurable);
            window.committed(seqs);
            wrote(after, makeDurable, now);
        }
        finally {
            turn.unlock();
        }
    }

    /**
     * Records the watermark through {@code c} (the coordinator's connection) when it has moved past what the target
     * holds, or, asked to be durable, when what it holds is not yet durable: positions only (transactions without
     * changes, an idle stream's position), with every transaction with changes committed.
     *
     * @return whether the recorded watermark moved
     */
    boolean recordWatermark(Connection c, boolean makeDurable) throws SQLException {
        takeTurn();
        try {
            AppliedWindow.Snapshot now = window.ifCommitted(Set.of());
            boolean moved = now.covered() != written.covered();
            if (!moved && (!makeDurable || same(durable, now.position()))) {
                return false;
            }
            c.setAutoCommit(false);
            try {
                if (makeDurable && durableStatement != null) {
                    try (Statement st = c.createStatement()) {
                        st.execute(durableStatement);
                    }
                }
                record(c, now);
                c.commit();
            }
            catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
            finally {
                c.setAutoCommit(true);
            }
            wrote(now, makeDurable, System.nanoTime());
            return moved;
        }
        finally {
            turn.unlock();
        }
    }

    /** What the target holds. */
    Written written() {
        return written;
    }

    /** The watermark the target holds durably: what the source may release. */
    ChangePosition durable() {
        return durable;
    }

    private void record(Connection c, AppliedWindow.Snapshot s) throws SQLException {
        if (s.commitTime() == null) {
            CatchupState.advance(c, plan, s.position());
        }
        else {
            CatchupState.write(c, plan, s.position(), s.commitTime());
        }
        AppliedWindow.write(c, plan, s);
    }

    private void wrote(AppliedWindow.Snapshot s, boolean madeDurable, long now) {
        written = new Written(s.position(), s.commitTime(), s.covered());
        if (madeDurable) {
            durable = s.position();
            lastDurable = now;
        }
    }

    private void takeTurn() throws SQLException {
        try {
            if (!turn.tryLock(TURN_WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new SQLTransactionRollbackException("waited " + TURN_WAIT_SECONDS + " s for the turn to commit");
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for the turn to commit", e);
        }
    }

    static boolean same(ChangePosition a, ChangePosition b) {
        return a != null && b != null && a.serialize().equals(b.serialize());
    }
}
