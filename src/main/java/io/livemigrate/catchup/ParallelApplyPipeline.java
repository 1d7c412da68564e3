package io.livemigrate.catchup;

import io.livemigrate.core.MigrationResources;
import io.livemigrate.engine.ChangeEvent;
import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.ChangeStream;
import io.livemigrate.engine.RowChange;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Applies the change stream through several target connections ({@code catchup.apply-threads}; docs/design.md,
 * "Parallel apply"). The coordinator (the tasklet's thread) holds each source transaction until its commit, keys it
 * ({@link ConflictKeys}), places it whole on one {@link ApplyWorker} ({@link DependencyScheduler}: transactions that
 * share a key keep their source order, the others run concurrently) and tracks what is applied
 * ({@link AppliedWindow}); the workers commit in turn ({@link CommitSequencer}), each commit recording the watermark
 * and the transactions committed past it with its data. A transaction too large to hold is streamed to one worker and
 * applied alone. A restart skips the transactions the last run committed past its watermark.
 *
 * <p>The cutover's mark and a quiet or stopping stream commit everything received, durably; the source is acknowledged
 * only the durable watermark (rule 4). What the tasklet reads as applied is what the target holds.
 */
final class ParallelApplyPipeline implements ApplyPipeline {

    /** Changes of a source transaction held before it is streamed to a worker and applied alone instead. */
    static final int HOLD_CHANGES = 2_000;
    /** Changes per piece of a streamed transaction, and pieces queued at most. */
    static final int PART_CHANGES = 1_000;
    private static final int PARTS_QUEUED = 4;
    /** Entries past the watermark at most: bounds the bitmap every commit writes, and memory. */
    static final int WINDOW_LIMIT = 20_000;
    /** Changes handed to workers and not yet committed, at most. */
    static final long IN_FLIGHT_CHANGES = 40_000;
    private static final long WAIT_MILLIS = 20;
    private static final Logger log = LoggerFactory.getLogger(ParallelApplyPipeline.class);

    private final Connection state;
    private final AppliedWindow window;
    private final CommitSequencer sequencer;
    private final DependencyScheduler scheduler;
    private final ConflictKeys conflicts;
    private final List<ApplyWorker> workers;
    private final AtomicReference<Throwable> failure;
    private ChangeStream stream;
    private ChangePosition acknowledged;
    private long lastAdvanced = System.nanoTime();
    private long publishedCovered;

    /** The open source transaction. */
    private boolean inTransaction;
    private long seq;
    private boolean skipping;
    private List<RowChange> changes = new ArrayList<>();
    private Set<String> keys = new HashSet<>();
    private boolean alone;
    private ApplyWorker streamingTo;
    private List<RowChange> part = new ArrayList<>();

    private ParallelApplyPipeline(Connection state, AppliedWindow window, CommitSequencer sequencer,
                                  DependencyScheduler scheduler, ConflictKeys conflicts, List<ApplyWorker> workers,
                                  AtomicReference<Throwable> failure) {
        this.state = state;
        this.window = window;
        this.sequencer = sequencer;
        this.scheduler = scheduler;
        this.conflicts = conflicts;
        this.workers = workers;
        this.failure = failure;
    }

    /**
     * Opens {@code threads} apply connections from the target pool and starts their workers.
     *
     * @param state        the coordinator's target connection (autocommit), closed with the pipeline
     * @param start        the applied position the target holds
     * @param appliedPast  the transactions the last run committed past {@code start} ({@link AppliedWindow#appliedPast})
     */
    static ParallelApplyPipeline open(MigrationResources resources, Connection state, Map<TableId, TableInfo> tables,
                                      Map<TableId, TableId> targetIds, ChangePosition start, Instant startCommitTime,
                                      BitSet appliedPast, int threads) throws SQLException {
        String plan = resources.plan().name();
        ConflictKeys conflicts;
        try (Connection source = resources.source().getConnection()) {
            conflicts = ConflictKeys.load(resources.engine(), source, tables, resources::sourceTable);
        }
        AppliedWindow window = new AppliedWindow(start, startCommitTime, appliedPast);
        CommitSequencer sequencer = new CommitSequencer(window, plan, resources.engine().durableCommitStatement(),
                ChangedKeys.lastBatch(state, plan), start, startCommitTime, System.nanoTime());
        DependencyScheduler scheduler = new DependencyScheduler(threads);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<ApplyWorker> workers = new ArrayList<>();
        ParallelApplyPipeline pipeline = new ParallelApplyPipeline(state, window, sequencer, scheduler, conflicts,
                workers, failure);
        try {
            for (int i = 0; i < threads; i++) {
                Connection target = resources.target().getConnection();
                ChangeApplier applier;
                try {
                    applier = new ChangeApplier(resources.engine(), resources.source(), target, plan, tables,
                            targetIds, sequencer.batchNumbers());
                }
                catch (SQLException | RuntimeException e) {
                    target.close();
                    throw e;
                }
                int number = i + 1;
                workers.add(new ApplyWorker(number, applier, sequencer, window, scheduler, t -> {
                    if (failure.compareAndSet(null, t)) {
                        log.error("apply connection {} failed: {}", number, t.getMessage());
                    }
                }));
            }
        }
        catch (SQLException | RuntimeException e) {
            for (ApplyWorker w : workers) {
                w.close();
            }
            throw e;
        }
        workers.forEach(ApplyWorker::start);
        log.info("applying through {} target connection(s); transactions that share a row, unique value or foreign "
                + "key keep their source order", threads);
        return pipeline;
    }

    @Override
    public void attach(ChangeStream stream) {
        this.stream = stream;
    }

    @Override
    public boolean handle(ChangeEvent event, boolean durable, long now) throws SQLException {
        checkFailure();
        if (event instanceof ChangeEvent.Begin) {
            inTransaction = true;
            seq = 0;
            skipping = false;
            changes = new ArrayList<>();
            keys = new HashSet<>();
            alone = false;
            streamingTo = null;
        }
        else if (event instanceof ChangeEvent.Change c) {
            change(c.change());
        }
        else if (event instanceof ChangeEvent.Commit c) {
            inTransaction = false;
            committed(c);
            if (c.mark()) {
                // a cutover's drain waits for this position with the application's writes held: apply it now
                return commitPending(true, now);
            }
        }
        return false;
    }

    private void change(RowChange change) throws SQLException {
        if (seq == 0) {
            seq = window.number();
            skipping = window.appliedBefore(seq);
        }
        if (skipping) {
            return;
        }
        if (streamingTo != null) {
            part.add(change);
            if (part.size() >= PART_CHANGES) {
                handPart();
            }
            return;
        }
        changes.add(change);
        if (!alone && !conflicts.addKeys(change, keys)) {
            alone = true;
        }
        if (changes.size() >= HOLD_CHANGES) {
            // Too large to hold: applied alone, streamed to the worker that holds whatever is in flight.
            streamingTo = workers.get(place(null, changes.size()));
            window.opened(seq);
            streamingTo.give(new ApplyWorker.Open(seq));
            streamingTo.give(new ApplyWorker.Part(changes));
            changes = new ArrayList<>();
            part = new ArrayList<>();
        }
    }

    private void committed(ChangeEvent.Commit commit) throws SQLException {
        if (seq == 0 || skipping) {
            window.received(seq, commit);
        }
        else if (streamingTo != null) {
            handPart();
            window.positioned(seq, commit);
            streamingTo.give(new ApplyWorker.Close(commit));
            streamingTo = null;
        }
        else {
            int worker = place(alone ? null : keys, changes.size());
            window.received(seq, commit);
            workers.get(worker).give(new ApplyWorker.Whole(new SourceTransaction(seq, changes, commit)));
        }
        changes = new ArrayList<>();
        keys = new HashSet<>();
    }

    /** Hands the streamed transaction's next changes over, once its worker has taken most of the earlier ones. */
    private void handPart() throws SQLException {
        while (streamingTo.queued() > PARTS_QUEUED) {
            checkFailure();
            pause(() -> window.await(WAIT_MILLIS));
        }
        streamingTo.give(new ApplyWorker.Part(part));
        part = new ArrayList<>();
    }

    /**
     * The worker the open transaction goes to, waiting while the window is full (the workers commit within their
     * batching span) or it shares keys with transactions in flight on two or more workers (those are asked to commit
     * as soon as they have applied them).
     */
    private int place(Set<String> held, int count) throws SQLException {
        while (window.length() >= WINDOW_LIMIT || scheduler.inFlightChanges() >= IN_FLIGHT_CHANGES) {
            checkFailure();
            pause(() -> window.await(WAIT_MILLIS));
        }
        int worker;
        while ((worker = scheduler.place(seq, held, count)) == DependencyScheduler.WAIT) {
            checkFailure();
            scheduler.blockers(held).forEach((w, through) -> workers.get(w).requestCommitThrough(through));
            pause(() -> scheduler.awaitCompletion(WAIT_MILLIS));
        }
        return worker;
    }

    @Override
    public boolean inTransaction() {
        return inTransaction;
    }

    @Override
    public boolean pending() {
        return window.received() > sequencer.written().covered();
    }

    @Override
    public boolean commitIfDue(boolean durable, long now) throws SQLException {
        checkFailure();
        acknowledge();
        long covered = sequencer.written().covered();
        boolean moved = covered != publishedCovered;
        publishedCovered = covered;
        return moved;
    }

    /**
     * Asks every worker to commit what it holds and waits until they have; then records the positions received past
     * the last transaction with changes. An open transaction the coordinator holds is on no worker yet, so the whole
     * ones before it commit now. Not while a streamed transaction is open: its worker holds its changes so far, with
     * whatever it held before, and commits them all at its end.
     */
    @Override
    public boolean commitPending(boolean durable, long now) throws SQLException {
        checkFailure();
        if (streamingTo != null || !pending() && !(durable && !CommitSequencer.same(sequencer.durable(),
                sequencer.written().position()))) {
            return false;
        }
        long before = sequencer.written().covered();
        workers.forEach(w -> w.requestFlush(durable));
        while (window.uncommitted() > 0) {
            checkFailure();
            pause(() -> window.await(WAIT_MILLIS));
        }
        sequencer.recordWatermark(state, durable);
        acknowledge();
        return sequencer.written().covered() != before;
    }

    @Override
    public void abandonTransaction() throws SQLException {
        if (inTransaction && streamingTo != null) {
            streamingTo.give(new ApplyWorker.Abandon());
            window.abandoned(seq);
            scheduler.completed(seq);
            streamingTo = null;
        }
        inTransaction = false;
        changes = new ArrayList<>();
        keys = new HashSet<>();
    }

    @Override
    public boolean advanceDue(long now) {
        return now - lastAdvanced >= PositionRecorder.IDLE_ADVANCE_NANOS;
    }

    /** As {@link PositionRecorder#advanceIdle}: with everything received committed, records the idle position. */
    @Override
    public boolean advanceIdle(long now) throws SQLException {
        lastAdvanced = now;
        if (inTransaction || pending()) {
            return false;
        }
        Optional<ChangePosition> idle = stream.idlePosition();
        if (idle.isEmpty()) {
            return false;
        }
        window.received(0, new ChangeEvent.Commit(idle.get(), null));
        boolean moved = sequencer.recordWatermark(state, true);
        acknowledge();
        return moved;
    }

    @Override
    public boolean readyToReopen(long now) throws SQLException {
        commitPending(true, now);
        return !pending();
    }

    @Override
    public ChangePosition applied() {
        return sequencer.written().position();
    }

    @Override
    public Instant appliedCommitTime() {
        return sequencer.written().commitTime();
    }

    /** Confirms to the source what the target holds durably, once it has moved. */
    private void acknowledge() throws SQLException {
        ChangePosition durable = sequencer.durable();
        if (durable != null && !CommitSequencer.same(durable, acknowledged)) {
            stream.acknowledge(durable);
            acknowledged = durable;
        }
    }

    /** A worker failed: the step fails with its error (what the workers committed stays; the next run resumes). */
    private void checkFailure() throws SQLException {
        Throwable t = failure.get();
        if (t instanceof SQLException e) {
            throw e;
        }
        if (t instanceof RuntimeException e) {
            throw e;
        }
        if (t != null) {
            throw new IllegalStateException("an apply connection failed: " + t, t);
        }
    }

    private interface Wait {
        void run() throws InterruptedException;
    }

    private static void pause(Wait wait) throws SQLException {
        try {
            wait.run();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while applying in parallel", e);
        }
    }

    @Override
    public void close() throws SQLException {
        SQLException first = null;
        workers.forEach(ApplyWorker::stop);
        for (ApplyWorker w : workers) {
            try {
                w.close();
            }
            catch (SQLException e) {
                first = first == null ? e : first;
            }
        }
        state.close();
        if (first != null) {
            throw first;
        }
    }
}
