package io.livemigrate.catchup;

import io.livemigrate.engine.ChangeEvent;
import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.ChangeStream;

import java.sql.SQLException;
import java.time.Instant;

/**
 * How {@link CatchupTasklet} hands the change stream to the target: {@link SerialApplyPipeline} applies it through one
 * connection (catch-up's behaviour with {@code catchup.apply-threads: 1}); {@link ParallelApplyPipeline} through
 * several, ordering dependent source transactions (docs/design.md, "Parallel apply"). Either way source transactions
 * stay whole, the applied position is committed on the target with the data it covers, and the source is
 * acknowledged only what the target holds durably (docs/design.md, rule 4). Called from the tasklet's thread only.
 */
interface ApplyPipeline extends AutoCloseable {

    /** The stream of this opening, once it is open: where acknowledgements and idle positions go. */
    void attach(ChangeStream stream);

    /**
     * A Begin, Change or Commit of the stream (a Stop is {@link #abandonTransaction}).
     *
     * @param durable a commit this causes must be durable (the stream is quiet or stopping)
     * @return whether the applied position moved (a cutover's mark is committed at once)
     */
    boolean handle(ChangeEvent event, boolean durable, long now) throws SQLException;

    /** A source transaction has begun and not yet committed. */
    boolean inTransaction();

    /** Received source transactions wait for their target commit (or for the position they reach to be recorded). */
    boolean pending();

    /** {@link #inTransaction} or {@link #pending}: the stream is polled briefly, so a quiet gap commits soon. */
    default boolean holding() {
        return inTransaction() || pending();
    }

    /**
     * Between source transactions: commits what the batching policy says is due, and acknowledges what has become
     * durable meanwhile; returns whether the applied position moved.
     */
    boolean commitIfDue(boolean durable, long now) throws SQLException;

    /**
     * Commits every received source transaction on the target with the position it reaches (durably when asked),
     * then acknowledges it to the source when durable; returns whether anything was committed. Never anything of the
     * open source transaction: where its changes so far share a target transaction with whole ones (one connection;
     * the worker a large transaction is streamed to), this commits nothing, and the whole ones commit with it at its
     * end. Asked on a quiet stream too, which can pause inside a source transaction.
     */
    boolean commitPending(boolean durable, long now) throws SQLException;

    /** The open source transaction will never commit (the stream stopped inside it): nothing of it is applied. */
    void abandonTransaction() throws SQLException;

    /** Whether a quiet stream's position is due to be recorded at {@code now}. */
    boolean advanceDue(long now);

    /** Records, then confirms, the position a quiet stream has reached; returns whether the applied position moved. */
    boolean advanceIdle(long now) throws SQLException;

    /**
     * Whether the target may be closed now to build the constraints the copy deferred (the applied position passed the
     * copy's end): with nothing received left uncommitted.
     */
    boolean readyToReopen(long now) throws SQLException;

    /** The position the target has committed (or catch-up started from). */
    ChangePosition applied();

    /** The source commit time of the last source transaction the target has committed in this run; null before. */
    Instant appliedCommitTime();

    /** Closes the target connections, rolling back anything uncommitted. */
    @Override
    void close() throws SQLException;
}
