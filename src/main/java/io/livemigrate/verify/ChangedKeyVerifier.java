package io.livemigrate.verify;

import io.livemigrate.catchup.ChangedKeys;
import io.livemigrate.core.MigrationResources;
import io.livemigrate.engine.ChunkDigester;
import io.livemigrate.engine.KeyValue;
import io.livemigrate.engine.KeysetSql;
import io.livemigrate.engine.TableId;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares, by key, the rows catch-up changed after a mark (see {@link ChangedKeys}) on both sides, through the
 * verification's own per-column digests ({@link ChunkDigester#rows(Connection, TableId, List, ChunkDigester.RowSink)}),
 * {@link #KEYS_PER_QUERY} keys of one table per query, until the time budget is spent. Meant for the cutover, with
 * writes fenced and catch-up drained, when the two sides must be exactly equal for every such key.
 */
public final class ChangedKeyVerifier {

    static final int KEYS_PER_QUERY = 200;
    /** About 30 MB of keys in memory at most: far more than a budget of a few hundred ms can compare anyway. */
    static final long MAX_KEYS = 200_000;
    private static final int SAMPLES = 10;

    /**
     * @param changed     keys changed after the mark (of the plan's tables), or as many as were read
     * @param recordComplete whether the whole record was read ({@code changed} is exact)
     * @param checked     of those, how many were compared within the budget
     * @param differences rows that differ among the checked keys
     * @param samples     the first few of them, to name
     */
    public record Outcome(long changed, boolean recordComplete, long checked, long differences,
                          List<Difference> samples) {

        public boolean complete() {
            return recordComplete && checked >= changed;
        }
    }

    private final MigrationResources resources;
    private final VerifyDigesters digesters;
    private final Map<String, TableId> tables = new LinkedHashMap<>();

    public ChangedKeyVerifier(MigrationResources resources, List<TableId> sourceTables) {
        this.resources = resources;
        this.digesters = new VerifyDigesters(resources);
        sourceTables.forEach(id -> tables.put(id.qualified(), id));
    }

    /**
     * Builds every table's digester now (catalog reads on both sides) and runs one comparison per table, its result
     * ignored (writes go on, so rows may differ in flight), over keys the record holds now or else the table's first
     * key, so that {@link #verify} spends its budget on comparing: the first comparison in a process also loads and
     * compiles its code and the servers plan its query, and {@link #verify} judges whether one more query fits the
     * budget by the last one's time, so a cold first query left the rest of a budget unused. The cutover calls this
     * before its fence.
     */
    public ChangedKeyVerifier prepared() throws SQLException {
        tables.values().forEach(digesters::of);
        try (Connection s = resources.source().getConnection(); Connection t = resources.target().getConnection()) {
            Map<String, Map<KeyValue, Long>> recorded =
                    ChangedKeys.since(t, resources.plan().name(), 0, KEYS_PER_QUERY).keys();
            for (TableId id : tables.values()) {
                List<KeyValue> keys = new ArrayList<>(recorded.getOrDefault(id.qualified(), Map.of()).keySet());
                if (keys.isEmpty()) {
                    KeyValue first = new KeysetSql(resources.engine().dialect(), resources.sourceTable(id))
                            .nextBoundary(s, null, null, 1);
                    if (first == null) {
                        continue; // an empty table
                    }
                    keys.add(first);
                }
                compare(s, t, id, keys);
            }
        }
        return this;
    }

    /**
     * Checks the keys changed after {@code mark}, oldest batch first, until done or {@code budget} is spent. Reading
     * the record is not counted against the budget (one indexed range read, kept small by each clean verification's
     * pruning), but is capped at {@link #MAX_KEYS} keys unless {@code everyKey}: beyond it the outcome is partial.
     */
    public Outcome verify(long mark, Duration budget, boolean everyKey) throws SQLException {
        Tally tally = new Tally();
        // One target connection reads the keys and digests the rows: opening another inside the write pause cost
        // tens of milliseconds.
        try (Connection s = resources.source().getConnection(); Connection t = resources.target().getConnection()) {
            ChangedKeys.Recorded recorded = ChangedKeys.since(t, resources.plan().name(), mark,
                    everyKey ? Long.MAX_VALUE : MAX_KEYS);
            Map<TableId, List<KeyValue>> changed = new LinkedHashMap<>();
            recorded.keys().forEach((table, keys) -> {
                TableId id = tables.get(table);
                if (id != null) { // a table no longer in the plan: not counted either
                    changed.put(id, new ArrayList<>(keys.keySet()));
                }
            });
            tally.changed = changed.values().stream().mapToLong(List::size).sum();
            tally.recordComplete = recorded.complete();
            // The budget is for comparing: opening the connections and reading the record are not counted (on a busy
            // machine they alone can exceed the default budget, and the step would then check nothing).
            long deadline = System.nanoTime() + budget.toNanos();
            for (Map.Entry<TableId, List<KeyValue>> e : changed.entrySet()) {
                List<KeyValue> keys = e.getValue();
                for (int from = 0; from < keys.size(); from += KEYS_PER_QUERY) {
                    if (!tally.fits(deadline)) {
                        return tally.outcome();
                    }
                    check(s, t, e.getKey(), keys.subList(from, Math.min(keys.size(), from + KEYS_PER_QUERY)), tally);
                }
            }
        }
        return tally.outcome();
    }

    private void check(Connection s, Connection t, TableId id, List<KeyValue> keys, Tally tally) throws SQLException {
        long start = System.nanoTime();
        Map<String, Difference> diffs = compare(s, t, id, keys);
        tally.checked += keys.size();
        tally.differences += diffs.size();
        tally.lastCheckNanos = System.nanoTime() - start;
        for (Difference d : diffs.values()) {
            if (tally.samples.size() < SAMPLES) {
                tally.samples.add(d);
            }
        }
    }

    /** The rows of {@code keys} (at most {@link #KEYS_PER_QUERY}) of source table {@code id} that differ now, by encoded key. */
    Map<String, Difference> compare(Connection s, Connection t, TableId id, List<KeyValue> keys) throws SQLException {
        ChunkDigester digester = digesters.of(id);
        TableId targetId = resources.plan().targetTable(id);
        return RowDigestComparison.compare(id.qualified(), digester.columns(),
                sink -> digester.rows(s, id, keys, sink), sink -> digester.rows(t, targetId, keys, sink),
                Integer.MAX_VALUE);
    }

    /** The plan's source table a recorded (qualified) name stands for; null for a table no longer in the plan. */
    TableId table(String qualified) {
        return tables.get(qualified);
    }

    private static final class Tally {
        long changed;
        long checked;
        long differences;
        final List<Difference> samples = new ArrayList<>();
        long lastCheckNanos;
        boolean recordComplete = true;

        Outcome outcome() {
            return new Outcome(changed, recordComplete, checked, differences, List.copyOf(samples));
        }

        /**
         * Whether one more query, taking as long as the last one did, ends before the deadline: writes are held while
         * this runs, so the budget is a limit, not a point after which one more query may start.
         */
        boolean fits(long deadline) {
            return System.nanoTime() + lastCheckNanos < deadline;
        }
    }
}
