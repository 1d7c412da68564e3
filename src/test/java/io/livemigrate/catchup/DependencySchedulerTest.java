package io.livemigrate.catchup;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scheduler with simulated workers, no database: from a seed, a few hundred source transactions over a small key
 * space (some that cannot be keyed), placed in source order while workers apply what they were given in order and
 * commit their open batch at random moments. In every interleaving, two transactions that share a key are applied in
 * source order: on one worker, one after the other; on two, the later only once the earlier has committed. Nothing
 * waits forever, and independent transactions do spread over the workers.
 */
class DependencySchedulerTest {

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 400);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void transactionsThatShareAKeyAreAppliedInSourceOrder(long seed) {
        Random r = new Random(seed * 6364136223846793005L + 1442695040888963407L); // small seeds, spread
        int workers = 2 + r.nextInt(3);
        int count = 200 + r.nextInt(300);
        int keySpace = 1 + r.nextInt(60);
        List<Set<String>> keys = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (r.nextInt(40) == 0) {
                keys.add(null); // cannot be keyed: conflicts with everything
                continue;
            }
            Set<String> k = new HashSet<>();
            for (int n = 1 + r.nextInt(4); n > 0; n--) {
                k.add("k" + r.nextInt(keySpace));
            }
            keys.add(k);
        }
        int[] worker = new int[count];
        long[] applied = new long[count];
        long[] committed = new long[count];
        Arrays.fill(applied, -1);
        Arrays.fill(committed, -1);
        List<Deque<Integer>> queues = new ArrayList<>();
        List<List<Integer>> open = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            queues.add(new ArrayDeque<>());
            open.add(new ArrayList<>());
        }
        DependencyScheduler scheduler = new DependencyScheduler(workers);
        int next = 0;
        int done = 0;
        long clock = 0;
        while (done < count) {
            // the moves open now: place the next transaction, a worker applies its next one, a worker commits
            List<int[]> moves = new ArrayList<>();
            if (next < count) {
                moves.add(new int[] {0, -1});
            }
            for (int w = 0; w < workers; w++) {
                if (!queues.get(w).isEmpty()) {
                    moves.add(new int[] {1, w});
                }
                if (!open.get(w).isEmpty()) {
                    moves.add(new int[] {2, w});
                }
            }
            int[] move = moves.get(r.nextInt(moves.size()));
            if (move[0] == 0) {
                int w = scheduler.place(next, keys.get(next), 1);
                if (w == DependencyScheduler.WAIT) {
                    assertThat(moves.size()).as("seed %d: transaction %d waits and nothing could free it", seed, next)
                            .isGreaterThan(1);
                    continue;
                }
                worker[next] = w;
                queues.get(w).add(next++);
            }
            else if (move[0] == 1) {
                int t = queues.get(move[1]).poll();
                applied[t] = ++clock;
                open.get(move[1]).add(t);
            }
            else {
                clock++;
                for (int t : open.get(move[1])) {
                    committed[t] = clock;
                    scheduler.completed(t);
                    done++;
                }
                open.get(move[1]).clear();
            }
        }
        for (int i = 0; i < count; i++) {
            for (int j = i + 1; j < count; j++) {
                if (!conflict(keys.get(i), keys.get(j))) {
                    continue;
                }
                if (worker[i] == worker[j]) {
                    assertThat(applied[i]).as("seed %d: %d before %d on worker %d", seed, i, j, worker[i])
                            .isLessThan(applied[j]);
                }
                else {
                    assertThat(committed[i]).as("seed %d: %d (worker %d) committed before %d (worker %d) applied",
                            seed, i, worker[i], j, worker[j]).isLessThan(applied[j]);
                }
            }
        }
        if (workers > 1 && keySpace >= 20) {
            assertThat(Arrays.stream(worker).distinct().count()).as("seed %d: independent work spread", seed)
                    .isGreaterThan(1);
        }
        assertThat(scheduler.inFlightChanges()).isZero();
    }

    private static boolean conflict(Set<String> a, Set<String> b) {
        if (a == null || b == null) {
            return true;
        }
        for (String k : a) {
            if (b.contains(k)) {
                return true;
            }
        }
        return false;
    }
}
