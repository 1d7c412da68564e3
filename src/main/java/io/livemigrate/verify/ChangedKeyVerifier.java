package io.livemigrate.verify;

import io.livemigrate.catchup.ChangedKeys;
import io.livemigrate.catchup.ChangedKeys.Changed;
import io.livemigrate.core.MigrationResources;
import io.livemigrate.engine.ChunkDigester;
import io.livemigrate.engine.KeyValue;
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
    private static final int PAGE = 1_000;
    private static final int SAMPLES = 10;

    /**
     * @param changed     keys changed after the mark (of the plan's tables)
     * @param checked     of those, how many were compared within the budget
     * @param differences rows that differ among the checked keys
     * @param samples     the first few of them, to name
     */
    public record Outcome(long changed, long checked, long differences, List<Difference> samples) {

        public boolean complete() {
            return checked >= changed;
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

    /** Checks the keys changed after {@code mark}, oldest batch first, until done or {@code budget} is spent. */
    public Outcome verify(long mark, Duration budget) throws SQLException {
        long deadline = System.nanoTime() + budget.toNanos();
        String plan = resources.plan().name();
        Tally tally = new Tally();
        // One target connection reads the keys and digests the rows (pages are read whole first): opening another
        // inside the write pause cost tens of milliseconds.
        try (Connection s = resources.source().getConnection(); Connection t = resources.target().getConnection()) {
            Connection keys = t;
            tally.changed = ChangedKeys.count(keys, plan, mark, List.copyOf(tables.keySet()));
            Map<TableId, List<KeyValue>> pending = new LinkedHashMap<>();
            Changed after = null;
            boolean inTime = true;
            while (inTime && tally.checked < tally.changed) {
                List<Changed> page = ChangedKeys.page(keys, plan, mark, after, PAGE);
                if (page.isEmpty()) {
                    break;
                }
                after = page.get(page.size() - 1);
                for (Changed c : page) {
                    TableId id = tables.get(c.table());
                    if (id == null) {
                        continue; // a table no longer in the plan: not counted either
                    }
                    List<KeyValue> batch = pending.computeIfAbsent(id, k -> new ArrayList<>());
                    batch.add(c.key());
                    if (batch.size() >= KEYS_PER_QUERY) {
                        inTime = System.nanoTime() < deadline;
                        if (!inTime) {
                            break;
                        }
                        check(s, t, id, pending.remove(id), tally);
                    }
                }
            }
            for (Map.Entry<TableId, List<KeyValue>> e : pending.entrySet()) {
                if (!inTime || System.nanoTime() >= deadline) {
                    break;
                }
                check(s, t, e.getKey(), e.getValue(), tally);
            }
        }
        return new Outcome(tally.changed, tally.checked, tally.differences, List.copyOf(tally.samples));
    }

    private void check(Connection s, Connection t, TableId id, List<KeyValue> keys, Tally tally) throws SQLException {
        ChunkDigester digester = digesters.of(id);
        TableId targetId = resources.plan().targetTable(id);
        Map<String, Difference> diffs = RowDigestComparison.compare(id.qualified(), digester.columns(),
                sink -> digester.rows(s, id, keys, sink), sink -> digester.rows(t, targetId, keys, sink),
                Integer.MAX_VALUE);
        tally.checked += keys.size();
        tally.differences += diffs.size();
        for (Difference d : diffs.values()) {
            if (tally.samples.size() < SAMPLES) {
                tally.samples.add(d);
            }
        }
    }

    private static final class Tally {
        long changed;
        long checked;
        long differences;
        final List<Difference> samples = new ArrayList<>();
    }
}
