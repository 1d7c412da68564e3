package io.livemigrate.catchup;

import io.livemigrate.engine.Engine;
import io.livemigrate.engine.KeyValue;
import io.livemigrate.engine.TableInfo;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The keys catch-up changed, kept on the target in {@code livemigrate.changed_rows}, written in the same target
 * transaction as the data (so the record is exact after a crash), so that the cutover can re-verify exactly the rows
 * that changed since the last verification.
 *
 * <p>Each target transaction is one <em>batch</em>, numbered upwards from the highest number on the target; a key
 * keeps the number of the last batch that changed it. A verification notes the highest committed number when it
 * starts (its mark): every key with a higher number changed after that. Keys are deduplicated in memory per batch
 * and written as multi-row upserts, one per {@link #ROWS_PER_STATEMENT} keys, when the batch commits (or earlier in
 * a huge source transaction, every {@link #FLUSH_KEYS} keys, so memory stays bounded). The key is the
 * {@link KeyValue#encode() encoded} text of its columns as the change stream delivers them (the engine's input
 * syntax, which {@code Dialect.keyParameter} reads back), identified by its MD5 so that a long key fits an index.
 * A TRUNCATE records nothing: it empties the target table whole, and the rows inserted after it are recorded.
 */
public final class ChangedKeys {

    private static final int ROWS_PER_STATEMENT = 1_000;
    private static final int FLUSH_KEYS = 10_000;
    private static final String LAST_BATCH = "SELECT max(batch) FROM livemigrate.changed_rows WHERE plan = ?";
    private static final String COUNT =
            "SELECT count(*) FROM livemigrate.changed_rows WHERE plan = ? AND batch > ? AND table_name IN (%s)";
    private static final String PAGE = "SELECT batch, table_name, key_hash, key_text FROM livemigrate.changed_rows "
            + "WHERE plan = ? AND batch > ? %s ORDER BY batch, table_name, key_hash LIMIT %d";
    private static final String AFTER = "AND batch >= ? AND (batch > ? OR (batch = ? AND (table_name > ? "
            + "OR (table_name = ? AND key_hash > ?))))";

    /** One recorded key: the source table (qualified) and the key's column texts. */
    public record Changed(long batch, String table, String keyHash, KeyValue key) {
    }

    private record Pending(String table, String key) {
    }

    private final Engine engine;
    private final String plan;
    private final Set<Pending> pending = new LinkedHashSet<>();
    private final MessageDigest md5;
    private long batch;

    ChangedKeys(Engine engine, String plan, long lastBatch) {
        this.engine = engine;
        this.plan = plan;
        this.batch = lastBatch + 1;
        try {
            this.md5 = MessageDigest.getInstance("MD5");
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM has no MD5", e);
        }
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
        pending.add(new Pending(t.id().qualified(), new KeyValue(ChangeApplier.key(t, image)).encode()));
    }

    /** Writes the held keys into the open transaction once there are many (one huge source transaction). */
    void writeIfFull(Connection target) throws SQLException {
        if (pending.size() >= FLUSH_KEYS) {
            write(target);
        }
    }

    /** Writes the held keys into the caller's open transaction, under the current batch number. */
    void write(Connection target) throws SQLException {
        List<Pending> keys = new ArrayList<>(pending);
        for (int from = 0; from < keys.size(); from += ROWS_PER_STATEMENT) {
            List<Pending> part = keys.subList(from, Math.min(keys.size(), from + ROWS_PER_STATEMENT));
            try (PreparedStatement ps = target.prepareStatement(engine.changedKeysUpsert(part.size()))) {
                int i = 1;
                for (Pending p : part) {
                    ps.setString(i++, plan);
                    ps.setString(i++, p.table());
                    ps.setString(i++, hash(p.table(), p.key()));
                    ps.setString(i++, p.key());
                    ps.setLong(i++, batch);
                }
                ps.executeUpdate();
            }
        }
        pending.clear();
    }

    /** The transaction the keys were written in committed: the next one is a new batch. */
    void committed() {
        batch++;
    }

    /** The transaction was rolled back: what it changed is not changed. */
    void discard() {
        pending.clear();
    }

    private String hash(String table, String key) {
        md5.update(table.getBytes(StandardCharsets.UTF_8));
        md5.update((byte) 0);
        return HexFormat.of().formatHex(md5.digest(key.getBytes(StandardCharsets.UTF_8)));
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

    /** How many keys of {@code tables} (qualified source names) changed in batches after {@code mark}. */
    public static long count(Connection target, String plan, long mark, List<String> tables) throws SQLException {
        if (tables.isEmpty()) {
            return 0;
        }
        try (PreparedStatement ps = target.prepareStatement(
                String.format(COUNT, String.join(", ", java.util.Collections.nCopies(tables.size(), "?"))))) {
            ps.setString(1, plan);
            ps.setLong(2, mark);
            for (int i = 0; i < tables.size(); i++) {
                ps.setString(3 + i, tables.get(i));
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
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
     * Up to {@code limit} keys changed after {@code mark}, in (batch, table, key hash) order, from just after
     * {@code after} (null: from the first); an empty list at the end.
     */
    public static List<Changed> page(Connection target, String plan, long mark, Changed after, int limit)
            throws SQLException {
        String sql = String.format(PAGE, after == null ? "" : AFTER, limit);
        List<Changed> page = new ArrayList<>(limit);
        try (PreparedStatement ps = target.prepareStatement(sql)) {
            ps.setString(1, plan);
            ps.setLong(2, mark);
            if (after != null) {
                ps.setLong(3, after.batch());
                ps.setLong(4, after.batch());
                ps.setLong(5, after.batch());
                ps.setString(6, after.table());
                ps.setString(7, after.table());
                ps.setString(8, after.keyHash());
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    page.add(new Changed(rs.getLong(1), rs.getString(2), rs.getString(3),
                            KeyValue.decode(rs.getString(4))));
                }
            }
        }
        catch (SQLException e) {
            if (!missingTable(e)) {
                throw e;
            }
        }
        return page;
    }

    /** PostgreSQL undefined table or schema, MySQL unknown table or database: catch-up never recorded here. */
    private static boolean missingTable(SQLException e) {
        String state = e.getSQLState();
        return "42P01".equals(state) || "3F000".equals(state) || "42S02".equals(state) || e.getErrorCode() == 1049
                || e.getErrorCode() == 1146;
    }
}
