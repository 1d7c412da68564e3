package io.livemigrate.catchup;

import io.livemigrate.engine.ChangeEvent;
import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.ChangeStream;

import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * Records how far catch-up has applied, on the target first and then to the source (docs/design.md, rule 4): the
 * source transactions received and not yet committed on the target, their commit with the position they reach, and
 * the acknowledgement to the source, which only ever follows a durable target commit. Times are passed in as
 * {@link System#nanoTime()} values.
 */
final class PositionRecorder {

    /** Where the applied position is committed: the applier's open target transaction. */
    interface Target {

        /** Commits everything applied since the last commit together with {@code position}. */
        void commit(ChangePosition position, Instant commitTime, boolean durable) throws SQLException;

        /** Records, durably, that the source's log moved on to {@code position} with nothing applied in between. */
        void advance(ChangePosition position) throws SQLException;
    }

    /**
     * While a backlog drains, target commits may be asynchronous; at least this often (and whenever the stream is
     * quiet, stopping, or a cutover's mark is in) a commit is made durable, and only a durable commit is acknowledged.
     */
    static final long ACK_INTERVAL_NANOS = 1_000_000_000L;
    /** How often a quiet stream's position is recorded and confirmed (a subscription's status interval). */
    static final long IDLE_ADVANCE_NANOS = 10_000_000_000L;

    private Target target;
    private ChangeStream stream;
    private int pendingTransactions;
    private ChangePosition pendingPosition;
    private Instant pendingCommitTime;
    private boolean markPending;
    private ChangePosition applied;
    private Instant appliedCommitTime;
    private long lastAcknowledged;
    private long lastAdvanced;

    /** @param now when the run starts: the first acknowledgement and idle advance are timed from it */
    PositionRecorder(long now) {
        lastAcknowledged = now;
        lastAdvanced = now;
    }

    /**
     * Catch-up (re)opens at {@code start}, what the target has committed; nothing is pending. The timers carry over,
     * as they do across the reopen that builds deferred constraints.
     */
    void startAt(ChangePosition start) {
        this.applied = start;
        this.pendingTransactions = 0;
        this.markPending = false;
    }

    /** The applier and stream of this opening, once both are open. */
    void attach(Target target, ChangeStream stream) {
        this.target = target;
        this.stream = stream;
    }

    /** A whole source transaction was applied into the open target transaction. */
    void sourceCommitted(ChangeEvent.Commit commit) {
        pendingTransactions++;
        pendingPosition = commit.position();
        pendingCommitTime = commit.commitTime();
        markPending |= commit.mark();
    }

    /** Received source transactions are waiting for their target commit. */
    boolean pending() {
        return pendingTransactions > 0;
    }

    /** The source commit time of the newest transaction waiting for its target commit. */
    Instant newestPendingCommit() {
        return pendingCommitTime;
    }

    /** The target rolled back everything uncommitted: nothing is pending any more. */
    void discardPending() {
        pendingTransactions = 0;
        markPending = false;
    }

    /**
     * Commits the pending source transactions on the target with the position they reach, then, when that commit is
     * durable, confirms it to the source.
     *
     * @param durable the commit must be durable (the stream is quiet or stopping); it is also when a mark is pending
     *                or the last acknowledgement is {@link #ACK_INTERVAL_NANOS} old
     * @return whether anything was committed
     */
    boolean commitPending(boolean durable, long now) throws SQLException {
        if (pendingTransactions == 0) {
            return false;
        }
        boolean ack = durable || markPending || now - lastAcknowledged >= ACK_INTERVAL_NANOS;
        markPending = false;
        target.commit(pendingPosition, pendingCommitTime, ack);
        if (ack) {
            // Only now may the source release what the target holds (docs/design.md, rule 4).
            stream.acknowledge(pendingPosition);
            lastAcknowledged = now;
        }
        applied = pendingPosition;
        appliedCommitTime = pendingCommitTime;
        pendingTransactions = 0;
        return true;
    }

    /** Whether a quiet stream's position is due to be recorded at {@code now}. */
    boolean advanceDue(long now) {
        return now - lastAdvanced >= IDLE_ADVANCE_NANOS;
    }

    /**
     * With everything received applied and committed, records the stream's idle position on the target and then
     * confirms it to the source (rule 4 holds: the target has it first), so a quiet plan on a busy server neither
     * holds the server's log nor decodes it again after a restart.
     *
     * @param sourceTransactionOpen a source transaction has begun and not ended: nothing is recorded
     * @return whether the applied position moved
     */
    boolean advanceIdle(boolean sourceTransactionOpen, long now) throws SQLException {
        lastAdvanced = now;
        if (sourceTransactionOpen || pendingTransactions > 0) {
            return false;
        }
        Optional<ChangePosition> idle = stream.idlePosition();
        if (idle.isEmpty()) {
            return false;
        }
        target.advance(idle.get());
        stream.acknowledge(idle.get());
        lastAcknowledged = now;
        applied = idle.get();
        return true;
    }

    /** The position the target has committed (or catch-up started from). */
    ChangePosition applied() {
        return applied;
    }

    /** The source commit time of the last transaction committed on the target by this run; null before the first. */
    Instant appliedCommitTime() {
        return appliedCommitTime;
    }
}
