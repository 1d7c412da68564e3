package io.livemigrate.catchup;

import io.livemigrate.engine.ChangeEvent;
import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.ChangeStream;

import java.sql.SQLException;
import java.time.Instant;

/**
 * Applies every change through one target connection, in stream order: a {@link ChangeApplier} holds the open target
 * transaction, the {@link TargetTransactionPolicy} ends it between source transactions, the {@link PositionRecorder}
 * commits it with the position it reaches and then acknowledges it; nothing commits it while a source transaction is
 * open, since it holds that one's changes too. What {@code catchup.apply-threads: 1} runs.
 */
final class SerialApplyPipeline implements ApplyPipeline {

    private final ChangeApplier applier;
    private final PositionRecorder recorder;
    private final TargetTransactionPolicy policy;
    /** A source transaction has begun and not yet committed. */
    private boolean inTransaction;

    /** @param recorder started at the applied position; its timers carry over reopenings */
    SerialApplyPipeline(ChangeApplier applier, PositionRecorder recorder, TargetTransactionPolicy policy) {
        this.applier = applier;
        this.recorder = recorder;
        this.policy = policy;
    }

    @Override
    public void attach(ChangeStream stream) {
        recorder.attach(applier, stream);
    }

    @Override
    public boolean handle(ChangeEvent event, boolean durable, long now) throws SQLException {
        if (event instanceof ChangeEvent.Begin) {
            if (!recorder.pending()) {
                policy.opened(now);
            }
            applier.markSourceTransaction();
            inTransaction = true;
        }
        else if (event instanceof ChangeEvent.Change c) {
            applier.apply(c.change());
        }
        else if (event instanceof ChangeEvent.Commit c) {
            inTransaction = false;
            recorder.sourceCommitted(c);
            if (c.mark()) {
                // a cutover's drain waits for this position with the application's writes held: apply it now
                return recorder.commitPending(durable, now);
            }
        }
        return false;
    }

    @Override
    public boolean inTransaction() {
        return inTransaction;
    }

    @Override
    public boolean pending() {
        return recorder.pending();
    }

    @Override
    public boolean commitIfDue(boolean durable, long now) throws SQLException {
        return recorder.pending() && !inTransaction
                && policy.ends(applier.uncommittedChanges(), recorder.newestPendingCommit(), now)
                && recorder.commitPending(durable, now);
    }

    /**
     * Nothing while a source transaction is open: its changes so far are in the one target transaction with the whole
     * ones before it, so those wait for its end and commit with it (docs/design.md, "Catch-up (details)"). The stream
     * can pause inside a source transaction for longer than the quiet gap that asks for this commit.
     */
    @Override
    public boolean commitPending(boolean durable, long now) throws SQLException {
        return !inTransaction && recorder.commitPending(durable, now);
    }

    /**
     * Never commit part of a source transaction: undo the open one, keeping the complete ones before it, so the next
     * run resumes exactly at the transaction that stopped (e.g. the first one after a DDL).
     */
    @Override
    public void abandonTransaction() throws SQLException {
        if (inTransaction && !applier.rollbackToMark()) {
            recorder.discardPending();
        }
        inTransaction = false;
    }

    @Override
    public boolean advanceDue(long now) {
        return recorder.advanceDue(now);
    }

    @Override
    public boolean advanceIdle(long now) throws SQLException {
        return recorder.advanceIdle(inTransaction, now);
    }

    @Override
    public boolean readyToReopen(long now) {
        return !inTransaction && !recorder.pending();
    }

    @Override
    public ChangePosition applied() {
        return recorder.applied();
    }

    @Override
    public Instant appliedCommitTime() {
        return recorder.appliedCommitTime();
    }

    @Override
    public void close() throws SQLException {
        applier.close();
    }
}
