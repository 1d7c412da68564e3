package io.livemigrate.catchup;

import io.livemigrate.engine.ColumnValue;
import io.livemigrate.engine.KeyValue;
import io.livemigrate.engine.RowChange;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * The keys catch-up changed, kept on the target in {@code livemigrate.changed_keys}, written in the same target
 * transaction as the data (so the record is exact after a crash), so that the cutover can re-verify exactly the rows
 * that changed since the last verification.
 *
 * <p>Each target transaction is one <em>batch</em>, numbered upwards from the highest number on the target. The record
 * is append-only: one row per batch (more for a huge source transaction, every {@link #FLUSH_KEYS} keys, so memory
 * stays bounded) holding that batch's distinct keys as one text value. Not one row per key: upserting it would cost a
 * random index write per changed key inside catch-up's transactions, while appending one row per batch costs next to
 * nothing. Readers deduplicate. A verification notes the highest committed batch when it starts (its mark): every key
 * recorded in a later batch changed after that; a clean verification then {@link #prune prunes} what it covered. The
 * key is the {@link KeyValue#encode() encoded} text of its columns as the change stream delivers them (the engine's
 * input syntax, which {@code Dialect.keyParameter} reads back). A TRUNCATE records nothing: it empties the target table
 * whole, and the rows inserted after it are recorded.
 */
public final class ChangedKeys {

    private static final int FLUSH_KEYS = 10_000;
    private static final String INSERT = "INSERT INTO livemigrate.changed_keys (plan, batch, part, key_count, entries) "
            + "VALUES (?, ?, ?, ?, ?)";
    private static final String LAST_BATCH = "SELECT max(batch) FROM livemigrate.changed_keys WHERE plan = ?";
    private static final String SINCE = "SELECT batch, entries FROM livemigrate.changed_keys WHERE plan = ? "
            + "AND batch > ? ORDER BY batch, part";
    private static final String PRUNE = "DELETE FROM livemigrate.changed_keys WHERE plan = ? AND batch <= ?";

    /** The keys recorded after a mark: per source table (qualified), each key with the last batch that changed it. */
    public record Recorded(Map<String, Map<KeyValue, Long>> keys, boolean complete) {

        public long count() {
            return keys.values().stream().mapToLong(Map::size).sum();
        }
    }

    /** A table and key held for the next write; equals and hashCode written out, as {@link TableId}'s (C1). */
    private record Pending(String table, String key) {

        @Override
        public boolean equals(Object o) {
            return o instanceof Pending p && table.equals(p.table) && key.equals(p.key);
        }

        @Override
        public int hashCode() {
            return 31 * table.hashCode() + key.hashCode();
        }
    }

    /**
     * Where the batch numbers come from. One applier counts its own. Parallel catch-up's connections share one
     * sequence that commits in number order, so a reader that sees a batch committed sees every lower one committed
     * too: a verification's mark, and a re-check's prune, cover exactly the batches at or below it.
     */
    interface BatchNumbers {

        /** The open target transaction's batch number; the first call of a transaction takes it. */
        long current() throws SQLException;

        /** The open target transaction ended, committed or rolled back. */
        void ended(boolean committed);
    }

    /** One applier's own numbers: the next after the highest on the target, reused after a rollback. */
    private static final class Counter implements BatchNumbers {

        private long batch;

        Counter(long lastBatch) {
            this.batch = lastBatch + 1;
        }

        @Override
        public long current() {
            return batch;
        }

        @Override
        public void ended(boolean committed) {
            if (committed) {
                batch++;
            }
        }
    }

    private final String plan;
    private final Set<Pending> pending = new LinkedHashSet<>();
    private final BatchNumbers numbers;
    private int part;

    ChangedKeys(String plan, long lastBatch) {
        this(plan, new Counter(lastBatch));
    }

    ChangedKeys(String plan, BatchNumbers numbers) {
        this.plan = plan;
        this.numbers = numbers;
    }

    /** The keys {@code change} of table {@code t} touches: the new image's, and the old image's when it has one. */
    void record(TableInfo t, RowChange change) {
        switch (change.kind()) {
            case INSERT -> add(t, change.after());
            case DELETE -> add(t, change.before());
            case UPDATE -> {
                add(t, change.after());
                if (change.before() != null) {
                    add(t, change.before());
                }
            }
            case TRUNCATE -> {
                // nothing per key: see the class comment
            }
        }
    }

    private void add(TableInfo t, Map<String, ColumnValue> image) {
        pending.add(new Pending(t.id().qualified(), new KeyValue(ChangeCoalescer.key(t, image)).encode()));
    }

    /** Writes the held keys into the open transaction once there are many (one huge source transaction). */
    void writeIfFull(Connection target) throws SQLException {
        if (pending.size() >= FLUSH_KEYS) {
            write(target);
        }
    }

    /** Writes the held keys into the caller's open transaction, under the current batch number. */
    void write(Connection target) throws SQLException {
        if (pending.isEmpty()) {
            return;
        }
        StringBuilder entries = new StringBuilder(pending.size() * 24);
        for (Pending p : pending) {
            appendField(entries, p.table());
            appendField(entries, p.key());
        }
        long batch = numbers.current();
        try (PreparedStatement ps = target.prepareStatement(INSERT)) {
            ps.setString(1, plan);
            ps.setLong(2, batch);
            ps.setInt(3, part++);
            ps.setInt(4, pending.size());
            ps.setString(5, entries.toString());
            ps.executeUpdate();
        }
        pending.clear();
    }

    /** The transaction the keys were written in committed: the next one is a new batch. */
    void committed() {
        part = 0;
        numbers.ended(true);
    }

    /** The transaction was rolled back: what it changed is not changed. */
    void discard() {
        pending.clear();
        part = 0;
        numbers.ended(false);
    }

    /** Length-prefixed, so no character of a table name or key can be mistaken for a separator. */
    private static void appendField(StringBuilder out, String field) {
        out.append(field.length()).append(':').append(field);
    }

    /**
     * The highest committed batch number of {@code plan} on this server: a verification's mark. 0 when catch-up
     * has recorded nothing yet (or never ran here), so every key it records later counts as changed after it.
     */
    public static long lastBatch(Connection target, String plan) throws SQLException {
        try (PreparedStatement ps = target.prepareStatement(LAST_BATCH)) {
            ps.setString(1, plan);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
        catch (SQLException e) {
            if (missingTable(e)) {
                return 0;
            }
            throw e;
        }
    }

    /**
     * The distinct keys recorded in batches after {@code mark}, oldest batch first, up to about {@code maxKeys}
     * (whole rows are read): incomplete when there were more.
     */
    public static Recorded since(Connection target, String plan, long mark, long maxKeys) throws SQLException {
        Map<String, Map<KeyValue, Long>> keys = new LinkedHashMap<>();
        try (PreparedStatement ps = target.prepareStatement(SINCE)) {
            ps.setString(1, plan);
            ps.setLong(2, mark);
            try (ResultSet rs = ps.executeQuery()) {
                long read = 0;
                while (rs.next()) {
                    if (read >= maxKeys) {
                        return new Recorded(keys, false);
                    }
                    long batch = rs.getLong(1);
                    String entries = rs.getString(2);
                    int at = 0;
                    while (at < entries.length()) {
                        int colon = entries.indexOf(':', at);
                        int end = colon + 1 + Integer.parseInt(entries, at, colon, 10);
                        String table = entries.substring(colon + 1, end);
                        colon = entries.indexOf(':', end);
                        at = colon + 1 + Integer.parseInt(entries, end, colon, 10);
                        keys.computeIfAbsent(table, k -> new LinkedHashMap<>())
                                .put(KeyValue.decode(entries.substring(colon + 1, at)), batch);
                        read++;
                    }
                }
            }
        }
        catch (SQLException e) {
            if (!missingTable(e)) {
                throw e;
            }
        }
        return new Recorded(keys, true);
    }

    /**
     * Drops what a clean verification with this mark covered: the cutover only re-checks keys changed after it. The
     * newest batch's rows stay even when covered: catch-up numbers its next batch after the highest one recorded, and
     * a number used again would count as covered.
     */
    public static int prune(Connection target, String plan, long mark) throws SQLException {
        long keep = lastBatch(target, plan);
        try (PreparedStatement ps = target.prepareStatement(PRUNE)) {
            ps.setString(1, plan);
            ps.setLong(2, Math.min(mark, keep - 1));
            return ps.executeUpdate();
        }
        catch (SQLException e) {
            if (missingTable(e)) {
                return 0;
            }
            throw e;
        }
    }

    /** PostgreSQL undefined table or schema, MySQL unknown table or database: catch-up never recorded here. */
    private static boolean missingTable(SQLException e) {
        String state = e.getSQLState();
        return "42P01".equals(state) || "3F000".equals(state) || "42S02".equals(state) || e.getErrorCode() == 1049
                || e.getErrorCode() == 1146;
    }
}
