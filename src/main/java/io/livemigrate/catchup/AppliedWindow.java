package io.livemigrate.catchup;

import io.livemigrate.engine.ChangeEvent;
import io.livemigrate.engine.ChangePosition;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.BitSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * What parallel catch-up has applied (docs/design.md, "Parallel apply"): the source transactions in stream order from
 * the low watermark on. Everything up to the watermark's position is committed on the target; past it the apply
 * connections commit out of order, so which later transactions are committed is kept as well, by number: the n-th
 * source transaction with changes after the watermark's position is the watermark's number plus n. A source
 * transaction without changes (another table's, a cutover's mark) is only a position, applied as it arrives.
 *
 * <p>Every commit writes the watermark ({@code livemigrate.catchup_state}, which the cutover's drain, verification and
 * a restart read as before) and the transactions committed past it ({@code livemigrate.catchup_window}: the
 * watermark's position and a bitmap, bit i for the (i+1)-th transaction with changes after it) in the same target
 * transaction as the data (rule 4). A restart resumes at the watermark and skips exactly the transactions the bitmap
 * holds, as MySQL's multi-threaded replica keeps a low-water mark and a bitmap of the groups done after it. Thread-safe:
 * the coordinator adds transactions as they arrive, the connections mark theirs committed.
 */
final class AppliedWindow {

    /**
     * What the target records at one moment.
     *
     * @param position   the watermark: every source transaction up to it is committed
     * @param commitTime the source commit time of the last transaction up to it; null when none is known yet
     * @param applied    the bitmap of the transactions committed past it, encoded
     * @param covered    how many received entries the watermark has passed (a count, for "moved?")
     * @param passesMark the watermark passes a cutover's mark (since the last snapshot taken as committed)
     */
    record Snapshot(ChangePosition position, Instant commitTime, String applied, long covered, boolean passesMark) {
    }

    /** A source transaction with changes ({@code seq} > 0) or a position only ({@code seq} 0). */
    private static final class Entry {
        final long seq;
        ChangePosition position;
        Instant commitTime;
        boolean mark;

        Entry(long seq, ChangePosition position, Instant commitTime, boolean mark) {
            this.seq = seq;
            this.position = position;
            this.commitTime = commitTime;
            this.mark = mark;
        }
    }

    private static final String READ = "SELECT position, applied FROM livemigrate.catchup_window WHERE plan = ?";
    private static final String UPDATE = "UPDATE livemigrate.catchup_window SET position = ?, applied = ? WHERE plan = ?";
    private static final String INSERT = "INSERT INTO livemigrate.catchup_window (position, applied, plan) "
            + "VALUES (?, ?, ?)";

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    /** Numbers past the watermark committed (or applied before a restart), not yet passed by it. */
    private final TreeSet<Long> applied = new TreeSet<>();
    private ChangePosition watermark;
    private Instant watermarkTime;
    private long lowSeq;
    private long nextSeq = 1;
    private long received;
    private long covered;
    private int uncommitted;

    /**
     * @param start       the applied position catch-up starts from
     * @param appliedPast what {@link #appliedPast} read: bit i for the (i+1)-th transaction with changes after it
     */
    AppliedWindow(ChangePosition start, Instant startCommitTime, BitSet appliedPast) {
        this.watermark = start;
        this.watermarkTime = startCommitTime;
        appliedPast.stream().forEach(i -> applied.add(i + 1L));
    }

    /** The next source transaction with changes gets this number. */
    synchronized long number() {
        return nextSeq++;
    }

    /** Whether transaction {@code seq} (just numbered) was applied before the restart: it is skipped. */
    synchronized boolean appliedBefore(long seq) {
        return applied.contains(seq);
    }

    /** A whole source transaction ({@code seq} from {@link #number}) or a position only ({@code seq} 0) arrived. */
    synchronized void received(long seq, ChangeEvent.Commit commit) {
        Entry last = entries.peekLast();
        if (seq == 0 && last != null && last.seq == 0) {
            // consecutive positions: only the last one matters
            last.position = commit.position();
            last.commitTime = commit.commitTime() != null ? commit.commitTime() : last.commitTime;
            last.mark |= commit.mark();
        }
        else {
            entries.add(new Entry(seq, commit.position(), commit.commitTime(), commit.mark()));
            received++;
            if (seq > 0 && !applied.contains(seq)) {
                uncommitted++;
            }
        }
        advance();
    }

    /** A source transaction too large to hold began streaming to a connection; its commit comes later. */
    synchronized void opened(long seq) {
        entries.add(new Entry(seq, null, null, false));
        received++;
        uncommitted++;
    }

    /** The streamed transaction {@code seq} ({@link #opened}) reached its commit. */
    synchronized void positioned(long seq, ChangeEvent.Commit commit) {
        Entry last = entries.peekLast();
        if (last == null || last.seq != seq) {
            throw new IllegalStateException("transaction " + seq + " is not the last one received");
        }
        last.position = commit.position();
        last.commitTime = commit.commitTime();
        last.mark = commit.mark();
        advance();
    }

    /** The streamed transaction {@code seq} will never commit (the stream stopped inside it). */
    synchronized void abandoned(long seq) {
        Entry last = entries.peekLast();
        if (last == null || last.seq != seq) {
            throw new IllegalStateException("transaction " + seq + " is not the last one received");
        }
        entries.removeLast();
        received--;
        uncommitted--;
        notifyAll();
    }

    /** What the target would record with transactions {@code seqs} committed too; nothing changes. */
    synchronized Snapshot ifCommitted(Set<Long> seqs) {
        ChangePosition position = watermark;
        Instant time = watermarkTime;
        long low = lowSeq;
        long passed = covered;
        boolean mark = false;
        for (Entry e : entries) {
            if (e.position == null || e.seq > 0 && !applied.contains(e.seq) && !seqs.contains(e.seq)) {
                break;
            }
            position = e.position;
            time = e.commitTime != null ? e.commitTime : time;
            low = e.seq > 0 ? e.seq : low;
            passed++;
            mark |= e.mark;
        }
        BitSet bits = new BitSet();
        for (long s : applied.tailSet(low, false)) {
            bits.set(Math.toIntExact(s - low - 1));
        }
        for (long s : seqs) {
            if (s > low) {
                bits.set(Math.toIntExact(s - low - 1));
            }
        }
        return new Snapshot(position, time, Base64.getEncoder().encodeToString(bits.toByteArray()), passed, mark);
    }

    /** Transactions {@code seqs} committed on the target. */
    synchronized void committed(Set<Long> seqs) {
        for (long s : seqs) {
            if (s > lowSeq && applied.add(s)) {
                uncommitted--;
            }
        }
        advance();
    }

    private void advance() {
        Entry head;
        while ((head = entries.peekFirst()) != null && head.position != null
                && (head.seq == 0 || applied.contains(head.seq))) {
            entries.removeFirst();
            watermark = head.position;
            watermarkTime = head.commitTime != null ? head.commitTime : watermarkTime;
            if (head.seq > 0) {
                lowSeq = head.seq;
                applied.remove(head.seq);
            }
            covered++;
        }
        notifyAll();
    }

    /** Received entries the watermark has not passed: in flight, or committed past an uncommitted one. */
    synchronized int length() {
        return entries.size();
    }

    /** Transactions with changes received and not yet committed. */
    synchronized int uncommitted() {
        return uncommitted;
    }

    /** Entries received so far (consecutive positions count once): compare with {@link Snapshot#covered}. */
    synchronized long received() {
        return received;
    }

    /**
     * Waits until every transaction numbered below {@code seq} is committed, i.e. {@code seq} would be applied in
     * source order.
     */
    synchronized void awaitCommittedBefore(long seq) throws InterruptedException {
        while (lowSeq < seq - 1) {
            wait(50);
        }
    }

    /** Waits up to {@code millis} for a change. */
    synchronized void await(long millis) throws InterruptedException {
        wait(millis);
    }

    /**
     * The transactions a previous run committed past {@code position} (bit i: the (i+1)-th with changes after it);
     * empty when it recorded none there (it ran with one connection, or its watermark has moved on since).
     */
    static BitSet appliedPast(Connection target, String plan, ChangePosition position) throws SQLException {
        try (PreparedStatement ps = target.prepareStatement(READ)) {
            ps.setString(1, plan);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next() && position.serialize().equals(rs.getString(1))) {
                    return BitSet.valueOf(Base64.getDecoder().decode(rs.getString(2)));
                }
            }
        }
        return new BitSet();
    }

    /** Records {@code s} in the caller's open transaction. */
    static void write(Connection target, String plan, Snapshot s) throws SQLException {
        String[] values = {s.position().serialize(), s.applied(), plan};
        if (execute(target, UPDATE, values) == 0) {
            execute(target, INSERT, values);
        }
    }

    private static int execute(Connection c, String sql, String[] values) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                ps.setString(i + 1, values[i]);
            }
            return ps.executeUpdate();
        }
    }
}
