package io.livemigrate.catchup;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides which apply connection ("worker") takes each source transaction, in source order, so that two transactions
 * that share a key are applied in source order (docs/design.md, "Parallel apply"). A worker applies what it is given
 * in the order given and commits it in that order, so a transaction may go to the one worker that holds every
 * in-flight transaction it shares a key with; one that shares keys with in-flight transactions of two or more workers
 * waits until all but one of those have committed. A transaction without keys (one that cannot be keyed, such as a
 * truncate) shares a key with every transaction: it waits until at most one worker holds anything, goes there, and
 * everything after it goes there too until it has committed.
 *
 * <p>Only the latest in-flight holder of a key is kept: an earlier holder of the same key is on the same worker, or
 * committed, since the latest could only be placed that way. Pure: no connection, no clock; thread-safe.
 */
final class DependencyScheduler {

    /** Where a transaction cannot go yet. */
    static final int WAIT = -1;

    private record Holder(long seq, int worker) {
    }

    private record Placed(int worker, Collection<String> keys, int changes) {
    }

    private final int workers;
    private final Map<String, Holder> holders = new HashMap<>();
    private final Map<Long, Placed> inFlight = new HashMap<>();
    private final int[] transactions;
    private final long[] changes;
    private long inFlightChanges;
    private long barrier = -1;
    private int barrierWorker;

    DependencyScheduler(int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("at least one worker: " + workers);
        }
        this.workers = workers;
        this.transactions = new int[workers];
        this.changes = new long[workers];
    }

    /**
     * Places transaction {@code seq} (seqs come in ascending source order) holding {@code keys}, null when it shares a
     * key with everything, with {@code changeCount} changes.
     *
     * @return the worker it goes to, recorded as in flight there until {@link #completed}; or {@link #WAIT}
     */
    synchronized int place(long seq, Collection<String> keys, int changeCount) {
        Set<Integer> conflicting = conflicting(keys);
        if (conflicting.size() > 1) {
            return WAIT;
        }
        int worker = conflicting.isEmpty() ? leastLoaded() : conflicting.iterator().next();
        Collection<String> held = keys == null ? List.of() : keys;
        inFlight.put(seq, new Placed(worker, held, changeCount));
        for (String key : held) {
            holders.put(key, new Holder(seq, worker));
        }
        if (keys == null) {
            barrier = seq;
            barrierWorker = worker;
        }
        transactions[worker]++;
        changes[worker] += changeCount;
        inFlightChanges += changeCount;
        return worker;
    }

    /** The workers holding in-flight transactions that {@code keys} (null: every key) shares a key with. */
    synchronized Set<Integer> conflicting(Collection<String> keys) {
        return blockers(keys).keySet();
    }

    /**
     * By worker, the latest of its in-flight transactions that {@code keys} (null: every key) shares a key with: once
     * that one has committed, so have the earlier ones (a worker commits in order).
     */
    synchronized Map<Integer, Long> blockers(Collection<String> keys) {
        Map<Integer, Long> latest = new LinkedHashMap<>();
        if (barrier >= 0) {
            latest.put(barrierWorker, barrier);
        }
        if (keys == null) {
            for (Map.Entry<Long, Placed> e : inFlight.entrySet()) {
                latest.merge(e.getValue().worker(), e.getKey(), Math::max);
            }
            return latest;
        }
        for (String key : keys) {
            Holder h = holders.get(key);
            if (h != null) {
                latest.merge(h.worker(), h.seq(), Math::max);
            }
        }
        return latest;
    }

    /** Transaction {@code seq} committed on the target (or will never be applied): its keys are free. */
    synchronized void completed(long seq) {
        Placed p = inFlight.remove(seq);
        if (p == null) {
            return;
        }
        for (String key : p.keys()) {
            Holder h = holders.get(key);
            if (h != null && h.seq() == seq) {
                holders.remove(key);
            }
        }
        if (barrier == seq) {
            barrier = -1;
        }
        transactions[p.worker()]--;
        changes[p.worker()] -= p.changes();
        inFlightChanges -= p.changes();
        notifyAll();
    }

    /** Changes of the transactions in flight, all workers together. */
    synchronized long inFlightChanges() {
        return inFlightChanges;
    }

    /** Waits up to {@code millis} for a transaction to complete. */
    synchronized void awaitCompletion(long millis) throws InterruptedException {
        wait(millis);
    }

    /** The worker with the fewest changes in flight (then the fewest transactions, then the lowest number). */
    private int leastLoaded() {
        int best = 0;
        for (int w = 1; w < workers; w++) {
            if (changes[w] < changes[best] || changes[w] == changes[best] && transactions[w] < transactions[best]) {
                best = w;
            }
        }
        return best;
    }
}
