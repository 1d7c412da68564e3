package io.livemigrate.catchup;

import io.livemigrate.engine.ChangeEvent;
import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.WalPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What parallel catch-up records lets a restart skip exactly what was committed: a stream of source transactions
 * (some without changes, which are positions only) committed in a random order by several connections, each commit
 * recording its snapshot; the process dies at a random moment, a new run starts from the last recorded snapshot and
 * reads the same stream from its watermark. Every transaction committed before the death is at or below the
 * watermark or skipped, and every one not committed is applied: nothing twice, nothing lost. No database.
 */
class AppliedWindowTest {

    private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

    /** One entry of the stream: a transaction with changes, or a position only. */
    private record Event(int index, boolean changes, ChangeEvent.Commit commit) {
    }

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 300);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void aRestartSkipsExactlyWhatWasCommittedPastTheWatermark(long seed) {
        Random r = new Random(seed * 6364136223846793005L + 1442695040888963407L); // small seeds, spread
        List<Event> stream = stream(r, 50 + r.nextInt(300));
        AppliedWindow.Snapshot recorded = null;
        Set<Integer> committed = new HashSet<>();
        ChangePosition start = position(0);
        // runs until a random death; each run resumes from what the last one recorded
        for (int run = 0; run < 4; run++) {
            BitSet past = recorded == null ? new BitSet() : BitSet.valueOf(Base64.getDecoder().decode(recorded.applied()));
            ChangePosition from = recorded == null ? start : recorded.position();
            AppliedWindow window = new AppliedWindow(from, null, past);
            List<Event> rest = stream.stream().filter(e -> lsn(e.commit().position()) > lsn(from)).toList();
            // the new run's view: what it skips, what it must apply
            List<long[]> toApply = new ArrayList<>(); // {seq, index}
            for (Event e : rest) {
                if (!e.changes()) {
                    window.received(0, e.commit());
                    continue;
                }
                long seq = window.number();
                if (window.appliedBefore(seq)) {
                    assertThat(committed).as("seed %d: skipped %d", seed, e.index()).contains(e.index());
                    window.received(seq, e.commit());
                }
                else {
                    assertThat(committed).as("seed %d: applied %d again", seed, e.index()).doesNotContain(e.index());
                    window.received(seq, e.commit());
                    toApply.add(new long[] {seq, e.index()});
                }
            }
            // commit them in random groups (one per connection commit), recording each snapshot; die at random
            Collections.shuffle(toApply, r);
            int dieAfter = run == 3 ? toApply.size() : r.nextInt(toApply.size() + 1);
            for (int i = 0; i < dieAfter; ) {
                int group = Math.min(dieAfter - i, 1 + r.nextInt(4));
                Set<Long> seqs = new HashSet<>();
                for (int g = 0; g < group; g++, i++) {
                    seqs.add(toApply.get(i)[0]);
                    committed.add((int) toApply.get(i)[1]);
                }
                recorded = window.ifCommitted(seqs);
                window.committed(seqs);
            }
            if (recorded != null && dieAfter > 0) {
                // what the snapshot says is at or below the watermark was committed
                long watermark = lsn(recorded.position());
                for (Event e : stream) {
                    if (e.changes() && lsn(e.commit().position()) <= watermark) {
                        assertThat(committed).as("seed %d: %d under the watermark", seed, e.index())
                                .contains(e.index());
                    }
                }
            }
        }
        assertThat(committed).as("seed %d: everything applied in the end", seed)
                .hasSize((int) stream.stream().filter(Event::changes).count());
    }

    @Test
    void theWatermarkWaitsForTheOldestAndPositionsOnlyPassWithIt() {
        AppliedWindow w = new AppliedWindow(position(0), null, new BitSet());
        long a = w.number();
        w.received(a, commit(1, false));
        w.received(0, commit(2, false));
        long b = w.number();
        w.received(b, commit(3, false));
        w.received(0, commit(4, true));
        AppliedWindow.Snapshot onlyB = w.ifCommitted(Set.of(b));
        assertThat(onlyB.position()).isEqualTo(position(0));
        assertThat(BitSet.valueOf(Base64.getDecoder().decode(onlyB.applied()))).isEqualTo(bits(1));
        assertThat(onlyB.passesMark()).isFalse();
        w.committed(Set.of(b));
        assertThat(w.uncommitted()).isEqualTo(1);
        AppliedWindow.Snapshot both = w.ifCommitted(Set.of(a));
        assertThat(both.position()).as("past the mark's position").isEqualTo(position(4));
        assertThat(both.applied()).isEmpty();
        assertThat(both.passesMark()).isTrue();
        assertThat(both.commitTime()).isEqualTo(T.plusSeconds(4));
        w.committed(Set.of(a));
        assertThat(w.length()).isZero();
        assertThat(w.received()).isEqualTo(both.covered());
    }

    private static List<Event> stream(Random r, int n) {
        List<Event> events = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            events.add(new Event(i, r.nextInt(4) > 0, commit(i, r.nextInt(30) == 0)));
        }
        return events;
    }

    private static ChangeEvent.Commit commit(int i, boolean mark) {
        return new ChangeEvent.Commit(position(i), T.plusSeconds(i), mark);
    }

    private static ChangePosition position(int i) {
        return new WalPosition("s", "0/" + Integer.toHexString(1000 + i * 16));
    }

    private static long lsn(ChangePosition p) {
        return ((WalPosition) p).lsnValue();
    }

    private static BitSet bits(int... set) {
        BitSet b = new BitSet();
        for (int i : set) {
            b.set(i);
        }
        return b;
    }
}
