package io.livemigrate.catchup;

import io.livemigrate.engine.ChangeEvent;
import io.livemigrate.engine.RowChange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One apply connection of parallel catch-up (docs/design.md, "Parallel apply"): a thread that applies the source
 * transactions the {@link DependencyScheduler} gave it, in the order given, many per target transaction, and commits
 * them in turn through the {@link CommitSequencer}. A transaction the scheduler could not order (the target refuses a
 * change, or picks it as a deadlock victim) is rolled back with the rest of its target transaction, and those are
 * applied again one at a time, each once every transaction before it in source order is committed: as a single
 * connection would have applied them.
 */
final class ApplyWorker implements AutoCloseable {

    /** What the coordinator hands a worker, in source order. */
    sealed interface Work permits Whole, Open, Part, Close, Abandon {
    }

    /** A whole source transaction. */
    record Whole(SourceTransaction transaction) implements Work {
    }

    /** A source transaction too large to hold begins; it is applied alone, its changes as they come. */
    record Open(long seq) implements Work {
    }

    /** The next changes of the open streamed transaction. */
    record Part(List<RowChange> changes) implements Work {
    }

    /** The open streamed transaction committed on the source. */
    record Close(ChangeEvent.Commit commit) implements Work {
    }

    /** The open streamed transaction will never commit: undo it, keep what came before it. */
    record Abandon() implements Work {
    }

    /** Rows of source transactions one target transaction holds at most: its changed keys fit one record row. */
    static final int BATCH_CHANGES = 4_000;
    /** Attempts at one source transaction in source order before catch-up gives up. */
    static final int ATTEMPTS = 10;
    private static final Logger log = LoggerFactory.getLogger(ApplyWorker.class);

    private final int number;
    private final ChangeApplier applier;
    private final CommitSequencer sequencer;
    private final AppliedWindow window;
    private final DependencyScheduler scheduler;
    private final Consumer<Throwable> failed;
    private final TargetTransactionPolicy policy = new TargetTransactionPolicy(Clock.systemUTC());
    private final BlockingQueue<Work> inbox = new LinkedBlockingQueue<>();
    private final Thread thread;
    /** The whole source transactions in the open target transaction, in order. */
    private final List<SourceTransaction> batch = new ArrayList<>();
    /** The numbers of every source transaction in the open target transaction, streamed ones included. */
    private final Set<Long> seqs = new LinkedHashSet<>();
    private long streaming = -1;
    private boolean holdsStreamed;
    private boolean holdsMark;
    private Instant newestCommit;
    /** The number of the last source transaction given, and of the last one applied. */
    private long lastGiven;
    private long lastApplied;
    /** Commit once the transaction with this number is applied; 0: not asked. */
    private long commitThrough;
    /** Make the commit that covers the transaction with this number durable; 0: not asked. */
    private long durableThrough;
    private volatile boolean closing;

    /** @param failed told of the failure that ends this worker (the coordinator then fails the step) */
    ApplyWorker(int number, ChangeApplier applier, CommitSequencer sequencer, AppliedWindow window,
                DependencyScheduler scheduler, Consumer<Throwable> failed) {
        this.number = number;
        this.applier = applier;
        this.sequencer = sequencer;
        this.window = window;
        this.scheduler = scheduler;
        this.failed = failed;
        this.thread = new Thread(this::run, "catchup-apply-" + number);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    void give(Work work) {
        if (work instanceof Whole w) {
            given(w.transaction().seq());
        }
        else if (work instanceof Open o) {
            given(o.seq());
        }
        inbox.add(work);
    }

    private synchronized void given(long seq) {
        lastGiven = seq;
    }

    /** Work given and not yet taken. */
    int queued() {
        return inbox.size();
    }

    /** Commit everything given so far as soon as it is applied (durably when asked). */
    synchronized void requestFlush(boolean durable) {
        if (lastGiven == 0) {
            return; // given nothing yet: nothing to commit
        }
        commitThrough = Math.max(commitThrough, lastGiven);
        if (durable) {
            durableThrough = Math.max(durableThrough, lastGiven);
        }
    }

    /**
     * Commit as soon as transaction {@code seq} (given to this worker) is applied: a transaction that shares keys with
     * it and with another worker's waits for that commit.
     */
    synchronized void requestCommitThrough(long seq) {
        commitThrough = Math.max(commitThrough, seq);
    }

    private synchronized boolean flushAsked() {
        return commitThrough > 0 && lastApplied >= commitThrough;
    }

    private void run() {
        try {
            while (!closing) {
                Work work = inbox.poll(holding() ? 2 : 50, TimeUnit.MILLISECONDS);
                if (work != null) {
                    take(work);
                }
                if (streaming < 0 && (holding() ? commitDue() : flushAsked())) {
                    commit();
                }
            }
        }
        catch (InterruptedException e) {
            // closing
        }
        catch (Throwable t) {
            if (!closing) {
                failed.accept(t);
            }
        }
        finally {
            try {
                applier.rollback();
            }
            catch (SQLException | RuntimeException e) {
                log.debug("rolling back apply connection {}: {}", number, e.getMessage());
            }
        }
    }

    private boolean holding() {
        return !seqs.isEmpty() || streaming >= 0;
    }

    private boolean commitDue() {
        return holdsMark || flushAsked() || policy.ends(applier.uncommittedChanges(), newestCommit, System.nanoTime());
    }

    private void take(Work work) throws SQLException, InterruptedException {
        if (work instanceof Whole w) {
            SourceTransaction t = w.transaction();
            if (holding() && applier.uncommittedChanges() + t.changes().size() > BATCH_CHANGES) {
                commit();
            }
            opening();
            batch.add(t);
            seqs.add(t.seq());
            applied(t.seq());
            newestCommit = t.commit().commitTime();
            holdsMark |= t.commit().mark();
            try {
                applyChanges(t.changes());
            }
            catch (SQLException e) {
                redoInOrder(e);
            }
        }
        else if (work instanceof Open o) {
            opening();
            streaming = o.seq();
            applier.markSourceTransaction();
        }
        else if (work instanceof Part p) {
            for (RowChange c : p.changes()) {
                applier.apply(c);
            }
        }
        else if (work instanceof Close c) {
            seqs.add(streaming);
            applied(streaming);
            holdsStreamed = true;
            newestCommit = c.commit().commitTime();
            streaming = -1;
            commit();
        }
        else if (work instanceof Abandon) {
            streaming = -1;
            if (!applier.rollbackToMark()) {
                List<SourceTransaction> kept = List.copyOf(batch);
                forget();
                for (SourceTransaction t : kept) {
                    opening();
                    batch.add(t);
                    seqs.add(t.seq());
                    applyChanges(t.changes());
                }
            }
        }
    }

    private synchronized void applied(long seq) {
        lastApplied = seq;
    }

    private void opening() {
        if (!holding()) {
            policy.opened(System.nanoTime());
        }
    }

    private void applyChanges(List<RowChange> changes) throws SQLException {
        applier.markSourceTransaction();
        for (RowChange c : changes) {
            applier.apply(c);
        }
    }

    /** Commits the open target transaction in turn; what the target refused is applied again in source order. */
    private void commit() throws SQLException, InterruptedException {
        if (!holding()) {
            markFlushed();
            return;
        }
        boolean durable;
        synchronized (this) {
            durable = durableThrough > 0 && lastApplied >= durableThrough;
        }
        try {
            applier.flushOrReplay();
            sequencer.commit(applier, seqs, durable || holdsMark);
        }
        catch (SQLException e) {
            redoInOrder(e);
            return;
        }
        completed(new ArrayList<>(seqs));
        markFlushed();
    }

    /** What is applied is committed: requests it covers are served. */
    private synchronized void markFlushed() {
        if (lastApplied >= commitThrough) {
            commitThrough = 0;
        }
        if (lastApplied >= durableThrough) {
            durableThrough = 0;
        }
    }

    private void completed(List<Long> done) {
        forget();
        for (long s : done) {
            scheduler.completed(s);
        }
    }

    private void forget() {
        batch.clear();
        seqs.clear();
        holdsStreamed = false;
        holdsMark = false;
        newestCommit = null;
    }

    /**
     * The target refused what this connection applied, or picked it as a deadlock victim: another connection's
     * transaction it could not be ordered with (a unique value an old image did not carry) may come first. Rolls
     * back, then applies each source transaction of the batch alone, once all before it in source order are
     * committed. A streamed transaction cannot be applied again (it is not held): the failure stands, and the next run
     * resumes before it.
     */
    private void redoInOrder(SQLException cause) throws SQLException, InterruptedException {
        if (!retryable(cause) || holdsStreamed || streaming >= 0) {
            throw cause;
        }
        List<SourceTransaction> redo = List.copyOf(batch);
        applier.rollback();
        forget();
        log.debug("apply connection {}: {} source transaction(s) applied again in source order ({})", number,
                redo.size(), cause.getMessage());
        for (SourceTransaction t : redo) {
            applyAlone(t, cause);
        }
    }

    private void applyAlone(SourceTransaction t, SQLException first) throws SQLException, InterruptedException {
        SQLException last = first;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            window.awaitCommittedBefore(t.seq());
            try {
                applyChanges(t.changes());
                applier.flushOrReplay();
                sequencer.commit(applier, Set.of(t.seq()), t.commit().mark());
                scheduler.completed(t.seq());
                return;
            }
            catch (SQLException e) {
                applier.rollback();
                last = e;
                // in source order, a refused change is refused for good; a deadlock can still be with later ones
                if (!retryable(e) || integrity(e)) {
                    throw e;
                }
            }
        }
        throw last;
    }

    /** Integrity violations (an order the scheduler could not see) and rollbacks (deadlocks, lock and turn waits). */
    static boolean retryable(SQLException e) {
        String state = state(e);
        return e instanceof SQLTransientException || integrity(e)
                || state != null && (state.startsWith("40") || state.equals("55P03"));
    }

    private static boolean integrity(SQLException e) {
        String state = state(e);
        return state != null && state.startsWith("23");
    }

    private static String state(SQLException e) {
        String state = e.getSQLState();
        return state == null && e.getNextException() != null ? e.getNextException().getSQLState() : state;
    }

    /** Tells the thread to end: what it holds uncommitted is rolled back. */
    void stop() {
        closing = true;
        thread.interrupt();
    }

    /** Stops the thread, waits for it, and closes the connection. */
    @Override
    public void close() throws SQLException {
        stop();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        applier.close();
    }
}
