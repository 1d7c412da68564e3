package io.livemigrate.verify;

import io.livemigrate.catchup.ChangedKeys;
import io.livemigrate.core.MigrationResources;
import io.livemigrate.engine.KeyValue;
import io.livemigrate.engine.TableId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Re-checks, while catch-up runs, the rows it changed (the {@link ChangedKeys} record), so that at the cutover's
 * fence only the keys changed in the last moments remain for step 4 (docs/design.md, "Continuous
 * re-verification"). A round reads the record, waits until catch-up has applied everything the source had committed
 * when the round began, and compares every recorded key's row on both sides. Rows that differ are rechecked under
 * the verify job's in-flux rule: after catch-up has applied the source's newer position, at most
 * {@link RangeVerifier#FLUX_ROUNDS} times. Then the record is pruned up to just before the oldest batch of a key that
 * still differs (all of it when none does), as a clean verification prunes what it covered: a key left in the record
 * is checked again next round and by the cutover with writes fenced, which refuses to switch while it differs.
 */
public final class ContinuousReverification implements AutoCloseable {

    static final Duration PAUSE = Duration.ofMillis(500);
    private static final Duration APPLY_WAIT = Duration.ofSeconds(30);
    private static final Logger log = LoggerFactory.getLogger(ContinuousReverification.class);

    private final MigrationResources resources;
    private final ChangedKeyVerifier verifier;
    private final AppliedPositionProbe probe;
    private final Thread thread;
    private final AtomicLong checked = new AtomicLong();
    private final AtomicLong rounds = new AtomicLong();
    private volatile boolean stopped;
    private String lastProblem;

    private ContinuousReverification(MigrationResources resources, List<TableId> tables) {
        this.resources = resources;
        this.verifier = new ChangedKeyVerifier(resources, tables);
        this.probe = CatchupAppliedProbe.of(resources);
        this.thread = new Thread(this::loop, "continuous-reverify");
        this.thread.setDaemon(true);
    }

    /** Starts checking in a background thread until {@link #close()}. */
    public static ContinuousReverification start(MigrationResources resources, List<TableId> tables) {
        ContinuousReverification r = new ContinuousReverification(resources, tables);
        r.thread.start();
        return r;
    }

    /** Keys compared so far (a key changed again is counted again). */
    public long checked() {
        return checked.get();
    }

    /** Rounds completed. */
    public long rounds() {
        return rounds.get();
    }

    private void loop() {
        while (!stopped) {
            try {
                round();
                rounds.incrementAndGet();
                lastProblem = null;
            }
            catch (InterruptedException e) {
                return;
            }
            catch (Exception e) {
                if (stopped) {
                    return;
                }
                String problem = String.valueOf(e.getMessage());
                if (!problem.equals(lastProblem)) { // once per distinct problem, not every half second
                    log.warn("continuous re-verification paused: {}; retrying", problem);
                    lastProblem = problem;
                }
            }
            try {
                Thread.sleep(PAUSE.toMillis());
            }
            catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One round; returns the number of keys still differing after the in-flux rechecks. */
    int round() throws Exception {
        String plan = resources.plan().name();
        Map<TableId, Map<KeyValue, Long>> recorded = new LinkedHashMap<>();
        long newest;
        try (Connection t = resources.target().getConnection()) {
            t.setAutoCommit(true);
            ChangedKeys.Recorded r = ChangedKeys.since(t, plan, 0, ChangedKeyVerifier.MAX_KEYS);
            newest = 0;
            for (Map.Entry<String, Map<KeyValue, Long>> e : r.keys().entrySet()) {
                TableId id = verifier.table(e.getKey());
                for (long batch : e.getValue().values()) {
                    newest = Math.max(newest, batch);
                }
                if (id != null) {
                    recorded.put(id, e.getValue());
                }
            }
        }
        if (recorded.isEmpty()) {
            return 0;
        }
        Map<TableId, List<KeyValue>> differing = keysOf(recorded);
        for (int pass = 0; pass <= RangeVerifier.FLUX_ROUNDS && !differing.isEmpty(); pass++) {
            // Pass 0 waits for what the source had committed when the round began; each recheck for newer changes.
            if (!probe.awaitApplied(probe.sourcePosition(), APPLY_WAIT)) {
                throw new IllegalStateException("catch-up has not applied the source's position within "
                        + APPLY_WAIT.toSeconds() + " s");
            }
            differing = compare(differing, pass == 0);
        }
        long pruneThrough = newest;
        for (Map.Entry<TableId, List<KeyValue>> e : differing.entrySet()) {
            Map<KeyValue, Long> batches = recorded.get(e.getKey());
            long oldest = batches.values().stream().mapToLong(Long::longValue).min().orElse(1);
            for (KeyValue key : e.getValue()) {
                // A key read back from the rows may be spelled apart from the stream's text: then the table's oldest.
                pruneThrough = Math.min(pruneThrough, batches.getOrDefault(key, oldest) - 1);
            }
        }
        try (Connection t = resources.target().getConnection()) {
            t.setAutoCommit(true);
            ChangedKeys.prune(t, plan, pruneThrough);
        }
        int left = differing.values().stream().mapToInt(List::size).sum();
        if (left > 0) {
            log.warn("continuous re-verification: {} row(s) still differ after {} rechecks (written again and again, "
                            + "or a real difference; the cutover checks them with writes fenced and refuses to switch "
                            + "while they differ): {}", left, RangeVerifier.FLUX_ROUNDS,
                    differing.entrySet().stream().map(e -> e.getKey() + " " + e.getValue().stream().limit(3)
                            .map(KeyValue::toString).collect(Collectors.joining(", "))).collect(Collectors.joining("; ")));
        }
        return left;
    }

    private Map<TableId, List<KeyValue>> compare(Map<TableId, List<KeyValue>> keys, boolean count) throws Exception {
        Map<TableId, List<KeyValue>> differing = new LinkedHashMap<>();
        try (Connection s = resources.source().getConnection(); Connection t = resources.target().getConnection()) {
            for (Map.Entry<TableId, List<KeyValue>> e : keys.entrySet()) {
                List<KeyValue> all = e.getValue();
                for (int from = 0; from < all.size() && !stopped; from += ChangedKeyVerifier.KEYS_PER_QUERY) {
                    List<KeyValue> chunk = all.subList(from, Math.min(all.size(), from + ChangedKeyVerifier.KEYS_PER_QUERY));
                    Map<String, Difference> diffs = verifier.compare(s, t, e.getKey(), chunk);
                    if (count) {
                        checked.addAndGet(chunk.size());
                    }
                    for (String encoded : diffs.keySet()) {
                        differing.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(KeyValue.decode(encoded));
                    }
                }
            }
        }
        if (stopped) {
            throw new InterruptedException();
        }
        return differing;
    }

    private static Map<TableId, List<KeyValue>> keysOf(Map<TableId, Map<KeyValue, Long>> recorded) {
        Map<TableId, List<KeyValue>> keys = new LinkedHashMap<>();
        recorded.forEach((id, batches) -> keys.put(id, new ArrayList<>(batches.keySet())));
        return keys;
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(10_000);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
