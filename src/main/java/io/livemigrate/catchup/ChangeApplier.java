package io.livemigrate.catchup;

import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.Column;
import io.livemigrate.engine.ColumnValue;
import io.livemigrate.engine.Dialect;
import io.livemigrate.engine.Engine;
import io.livemigrate.engine.RowChange;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies row changes to the target as absolute images (docs/design.md, rule 2) inside one open target transaction that
 * {@link #commit} closes together with the applied position (rule 4): the SQL side of catch-up.
 *
 * <p>Changes are compacted per row by a {@link ChangeCoalescer} before they are written, then each table's deletes and
 * upserts go out as JDBC batches, one batch per statement shape. Compacting equals applying the changes one by one but
 * where rows swap the values of a secondary unique key, which makes a compacted batch fail: the transaction is then
 * rolled back and its changes replayed one by one, in source order. Where an upsert could update
 * another row through a second unique key instead of failing ({@link Engine#upsertMayTouchOtherRows}), the table's
 * upserted keys are deleted first and their images inserted.
 */
final class ChangeApplier implements PositionRecorder.Target, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChangeApplier.class);
    /** Compacted rows held before they are written into the open transaction. */
    private static final int FLUSH_ROWS = 5_000;
    /** Changes kept for a one-by-one replay; a larger target transaction cannot be replayed. */
    private static final int RETAIN_LIMIT = 200_000;

    private final Engine engine;
    private final Dialect dialect;
    private final DataSource sourcePool;
    private final Connection target;
    private final String plan;
    private final Map<TableId, TableInfo> tables;
    private final Map<TableId, TableId> targetIds;
    private final ChangeCoalescer coalescer = new ChangeCoalescer();
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    private final List<RowChange> retained = new ArrayList<>();
    private final ChangedKeys changedKeys;
    private final UnloggedCascades cascades;
    /** Tables whose upserts go out as delete and insert: {@link Engine#upsertMayTouchOtherRows}. */
    private final java.util.Set<TableId> deleteAndInsert = new java.util.HashSet<>();
    private boolean retainedComplete = true;
    private boolean replaying;
    private int mark;
    private long uncommittedChanges;

    /**
     * @param tables    by source table: the definition the target has (columns, key)
     * @param targetIds by source table: the target table
     */
    ChangeApplier(Engine engine, DataSource sourcePool, Connection target, String plan, Map<TableId, TableInfo> tables,
                  Map<TableId, TableId> targetIds) throws SQLException {
        this(engine, sourcePool, target, plan, tables, targetIds, null);
    }

    /**
     * @param batchNumbers where the numbers of its batches of changed keys come from, shared by parallel catch-up's
     *                     connections; null: its own, after the highest on the target
     */
    ChangeApplier(Engine engine, DataSource sourcePool, Connection target, String plan, Map<TableId, TableInfo> tables,
                  Map<TableId, TableId> targetIds, ChangedKeys.BatchNumbers batchNumbers) throws SQLException {
        this.engine = engine;
        this.dialect = engine.dialect();
        this.sourcePool = sourcePool;
        this.target = target;
        this.plan = plan;
        this.tables = tables;
        this.targetIds = targetIds;
        target.setAutoCommit(true);
        for (Map.Entry<TableId, TableId> e : targetIds.entrySet()) {
            if (engine.upsertMayTouchOtherRows(target, e.getValue())) {
                deleteAndInsert.add(e.getKey());
            }
        }
        this.changedKeys = batchNumbers != null ? new ChangedKeys(plan, batchNumbers)
                : new ChangedKeys(plan, ChangedKeys.lastBatch(target, plan));
        this.cascades = UnloggedCascades.load(engine, sourcePool, tables, targetIds);
        for (String sql : engine.applySessionSetup()) {
            try (Statement st = target.createStatement()) {
                st.execute(sql);
            }
            catch (SQLException e) {
                log.warn("catch-up applies without '{}' ({}): foreign keys on the target are checked per batch", sql,
                        e.getMessage());
            }
        }
        target.setAutoCommit(false);
    }

    /** Source changes applied (or buffered) since the last commit. */
    long uncommittedChanges() {
        return uncommittedChanges;
    }

    void apply(RowChange change) throws SQLException {
        uncommittedChanges++;
        if (!replaying) {
            if (retainedComplete && retained.size() < RETAIN_LIMIT) {
                retained.add(change);
            }
            else {
                retainedComplete = false;
                retained.clear();
            }
        }
        try {
            applyBuffered(change);
        }
        catch (SQLException e) {
            replayOrThrow(e);
        }
    }

    private void applyBuffered(RowChange change) throws SQLException {
        applyBuffered(change, 0);
    }

    /** @param depth how many cascades led to this change (0: a logged change) */
    private void applyBuffered(RowChange change, int depth) throws SQLException {
        TableInfo t = table(change.table());
        changedKeys.record(t, change);
        switch (change.kind()) {
            case INSERT -> coalescer.upsert(t, change.after());
            case DELETE -> coalescer.delete(t, change.before());
            case TRUNCATE -> {
                flush();
                try (Statement st = target.createStatement()) {
                    st.executeUpdate("DELETE FROM " + dialect.table(
                            change.partition() != null ? change.partition() : targetIds.get(t.id())));
                }
            }
            case UPDATE -> {
                Map<String, ColumnValue> moved = coalescer.update(t, change.before(), change.after());
                if (moved != null) {
                    flush();
                    move(t, change.before(), moved);
                }
            }
        }
        if (cascades.isParent(t.id()) && depth < UnloggedCascades.MAX_DEPTH) {
            flush(); // the children are read from the target as this change leaves it
            for (RowChange cascaded : cascades.follow(change, target)) {
                applyBuffered(cascaded, depth + 1);
            }
        }
        if (coalescer.size() >= FLUSH_ROWS) {
            flush();
        }
        changedKeys.writeIfFull(target);
    }

    /**
     * Commits the applied changes with the position they reach and the keys they changed.
     *
     * @param durable the commit must be on disk when this returns (before the source is acknowledged)
     */
    @Override
    public void commit(ChangePosition position, Instant commitTime, boolean durable) throws SQLException {
        commit(c -> CatchupState.write(c, plan, position, commitTime), durable);
    }

    /** What a commit records of how far catch-up has applied, inside the transaction it commits. */
    interface StateWrite {
        void write(Connection target) throws SQLException;
    }

    /** As {@link #commit(ChangePosition, Instant, boolean)}, recording the applied position through {@code state}. */
    void commit(StateWrite state, boolean durable) throws SQLException {
        flushOrReplay();
        changedKeys.write(target);
        state.write(target);
        commitTarget(durable);
        changedKeys.committed();
        retained.clear();
        retainedComplete = true;
        uncommittedChanges = 0;
    }

    /**
     * Writes the buffered rows into the open transaction, replaying the transaction one change at a time where the
     * compacted rows hit a unique key.
     */
    void flushOrReplay() throws SQLException {
        try {
            flush();
        }
        catch (SQLException e) {
            replayOrThrow(e);
        }
    }

    /**
     * Records, durably, that the source's log has moved on to {@code position} with nothing for the plan's tables in
     * between. Only between target transactions: nothing may be applied and uncommitted.
     */
    @Override
    public void advance(ChangePosition position) throws SQLException {
        if (uncommittedChanges != 0) {
            throw new IllegalStateException("advance with " + uncommittedChanges + " uncommitted changes");
        }
        CatchupState.advance(target, plan, position);
        commitTarget(true);
    }

    private void commitTarget(boolean durable) throws SQLException {
        String durableCommit = engine.durableCommitStatement();
        if (durable && durableCommit != null) {
            try (Statement st = target.createStatement()) {
                st.execute(durableCommit);
            }
        }
        target.commit();
    }

    /** A source transaction begins: {@link #rollbackToMark} can undo it alone. */
    void markSourceTransaction() {
        mark = retainedComplete ? retained.size() : -1;
    }

    /**
     * Undoes the changes since {@link #markSourceTransaction} and keeps the earlier ones (rolled back, then applied
     * again from what was retained); false when they could not be kept and everything was rolled back.
     */
    boolean rollbackToMark() throws SQLException {
        if (mark < 0 || !retainedComplete) {
            rollback();
            return false;
        }
        List<RowChange> keep = new ArrayList<>(retained.subList(0, mark));
        rollback();
        for (RowChange c : keep) {
            apply(c);
        }
        return true;
    }

    void rollback() throws SQLException {
        coalescer.clear();
        retained.clear();
        retainedComplete = true;
        uncommittedChanges = 0;
        changedKeys.discard();
        target.rollback();
    }

    private void replayOrThrow(SQLException e) throws SQLException {
        String state = e.getSQLState();
        if (state == null && e.getNextException() != null) {
            state = e.getNextException().getSQLState();
        }
        // 23xxx: a unique key the compacted rows swap values of; 21000: two keys spelled apart in text that the
        // target's type holds equal (a one-statement upsert may not touch one row twice): one by one, both apply.
        boolean replayable = state != null && (state.startsWith("23") || state.equals("21000"));
        if (replaying || !retainedComplete || !replayable) {
            throw e;
        }
        log.info("a compacted batch hit a unique key ({}); replaying {} changes one by one", e.getMessage(),
                retained.size());
        target.rollback();
        coalescer.clear();
        replaying = true;
        try {
            for (RowChange c : retained) {
                applyBuffered(c);
                flush();
            }
        }
        finally {
            replaying = false;
        }
    }

    private TableInfo table(TableId id) {
        TableInfo t = tables.get(id);
        if (t == null) {
            throw new IllegalStateException("a change for " + id + ", which is not one of the plan's tables");
        }
        return t;
    }

    /** Writes the buffered rows: per table, the deletes, then the upserts, as batches. */
    void flush() throws SQLException {
        for (ChangeCoalescer.TableBatch b : coalescer.drain()) {
            TableInfo t = tables.get(b.table());
            List<Map<String, ColumnValue>> deletes = b.deletes();
            Map<List<String>, List<Map<String, ColumnValue>>> full = b.full();
            Map<List<String>, List<Map<String, ColumnValue>>> partial = b.partial();
            TableId targetId = targetIds.get(t.id());
            boolean insert = deleteAndInsert.contains(t.id());
            if (insert) {
                // Every upserted key is deleted before any image goes in: the images are the rows' last states, which
                // hold no unique value twice, so no insert can meet a value another change of the batch frees.
                full.values().forEach(deletes::addAll);
            }
            if (!deletes.isEmpty()) {
                many(engine.deleteManySql(t, targetId), deleteSql(t), t.keyColumns(), deletes);
            }
            for (Map.Entry<List<String>, List<Map<String, ColumnValue>>> s : full.entrySet()) {
                List<Column> columns = s.getKey().stream().map(t::column).toList();
                if (insert) {
                    batch(insertSql(t, columns), s.getKey(), s.getValue());
                }
                else {
                    many(engine.upsertManySql(t, targetId, columns), engine.upsertSql(t, targetId, columns),
                            s.getKey(), s.getValue());
                }
            }
            for (Map.Entry<List<String>, List<Map<String, ColumnValue>>> s : partial.entrySet()) {
                List<String> set = s.getKey().stream().filter(c -> !t.keyColumns().contains(c)).toList();
                List<String> params = new ArrayList<>(set);
                params.addAll(t.keyColumns());
                int[] counts = batch(updateSql(t, set, t.keyColumns()), params, s.getValue());
                for (int i = 0; i < counts.length; i++) {
                    if (counts[i] == 0) {
                        write(t, filled(t, sourcePool, s.getValue().get(i), s.getValue().get(i)));
                    }
                }
            }
        }
    }

    /**
     * A key change whose new image lacks unchanged TOAST values. They are read from the source's row of the new key
     * as it is now: never from the target's row of the old key while the source has the row, since the copy may have
     * read the old key in a later life (deleted, then inserted again) whose values are not the moved row's
     * ({@code ToastReplayTest}). When the source has no such row now, a later change in the stream removes it, so the
     * values the row holds meanwhile do not last: the old row is moved to the new key in place, as a placeholder that
     * rows referencing it still find; when the old row is not on the target, the new one is updated in place.
     */
    private void move(TableInfo t, Map<String, ColumnValue> before, Map<String, ColumnValue> after) throws SQLException {
        Map<String, ColumnValue> current = filled(t, sourcePool, after, after);
        if (current != null) {
            batch(deleteSql(t), t.keyColumns(), List.of(before));
            write(t, current);
        }
        else if (exists(t, before)) {
            batch(deleteSql(t), t.keyColumns(), List.of(after));
            List<String> set = after.entrySet().stream().filter(e -> !e.getValue().isUnchanged())
                    .map(Map.Entry::getKey).toList();
            List<String> params = new ArrayList<>(set);
            List<String> oldKey = t.keyColumns().stream().map(k -> "\u0000old:" + k).toList();
            params.addAll(oldKey);
            Map<String, ColumnValue> values = new HashMap<>(after);
            t.keyColumns().forEach(k -> values.put("\u0000old:" + k, before.get(k)));
            batch(updateSql(t, set, t.keyColumns()), params, List.of(values));
        }
        else {
            coalescer.upsert(t, after);
            flush();
        }
    }

    private boolean exists(TableInfo t, Map<String, ColumnValue> key) throws SQLException {
        try (PreparedStatement ps = target.prepareStatement("SELECT 1 FROM " + dialect.table(targetIds.get(t.id()))
                + " WHERE " + keyCondition(t))) {
            bind(ps, t.keyColumns(), key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * {@code image} with its unchanged values as the row of {@code key}'s key has them now: the source's ({@code pool})
     * or the target's (null); null when there is no such row. Reading the source's later state is safe:
     * every change after it is still to come in the stream, and those converge the row (docs/design.md, rule 2).
     */
    private Map<String, ColumnValue> filled(TableInfo t, DataSource pool, Map<String, ColumnValue> image,
                                            Map<String, ColumnValue> key) throws SQLException {
        TableId table = pool == null ? targetIds.get(t.id()) : t.id();
        List<String> unchanged = image.entrySet().stream().filter(e -> e.getValue().isUnchanged())
                .map(Map.Entry::getKey).toList();
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < unchanged.size(); i++) {
            sql.append(i > 0 ? ", " : "").append(dialect.keyAsText(t.column(unchanged.get(i))));
        }
        sql.append(" FROM ").append(dialect.table(table)).append(" WHERE ").append(keyCondition(t));
        Connection c = pool == null ? target : pool.getConnection();
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            bind(ps, t.keyColumns(), key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Map<String, ColumnValue> row = new LinkedHashMap<>(image);
                for (int i = 0; i < unchanged.size(); i++) {
                    row.put(unchanged.get(i), ColumnValue.of(rs.getString(i + 1)));
                }
                return row;
            }
        }
        finally {
            if (c != target) {
                c.close();
            }
        }
    }

    /** Upserts {@code row} (whole, or its columns at least); nothing when it is null. */
    private void write(TableInfo t, Map<String, ColumnValue> row) throws SQLException {
        if (row != null) {
            List<Column> columns = row.keySet().stream().map(t::column).toList();
            batch(engine.upsertSql(t, targetIds.get(t.id()), columns), new ArrayList<>(row.keySet()), List.of(row));
        }
    }

    private String insertSql(TableInfo t, List<Column> columns) {
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(dialect.table(targetIds.get(t.id()))).append(" (");
        StringBuilder values = new StringBuilder();
        for (Column c : columns) {
            sql.append(values.length() > 0 ? ", " : "").append(dialect.quote(c.name()));
            values.append(values.length() > 0 ? ", " : "").append(dialect.keyParameter(c));
        }
        return sql.append(") VALUES (").append(values).append(')').toString();
    }

    private String deleteSql(TableInfo t) {
        return "DELETE FROM " + dialect.table(targetIds.get(t.id())) + " WHERE " + keyCondition(t);
    }

    private String updateSql(TableInfo t, List<String> set, List<String> where) {
        String rewrite = engine.rewriteRowSql(t, targetIds.get(t.id()), set.stream().map(t::column).toList());
        if (rewrite != null) {
            return rewrite;
        }
        StringBuilder sql = new StringBuilder("UPDATE ").append(dialect.table(targetIds.get(t.id()))).append(" SET ");
        for (int i = 0; i < set.size(); i++) {
            sql.append(i > 0 ? ", " : "").append(dialect.quote(set.get(i))).append(" = ")
                    .append(dialect.keyParameter(t.column(set.get(i))));
        }
        if (set.isEmpty()) {
            String k = dialect.quote(where.get(0));
            sql.append(k).append(" = ").append(k);
        }
        return sql.append(" WHERE ").append(keyCondition(t)).toString();
    }

    private String keyCondition(TableInfo t) {
        StringBuilder sql = new StringBuilder();
        for (String k : t.keyColumns()) {
            sql.append(sql.length() > 0 ? " AND " : "").append(dialect.quote(k)).append(" = ")
                    .append(dialect.keyParameter(t.column(k)));
        }
        return sql.toString();
    }

    /**
     * Rows that are distinct keys, through the engine's one-statement form where it has one ({@code manySql}, one text
     * array per parameter), else as a batch of {@code oneSql}.
     */
    private void many(String manySql, String oneSql, List<String> params, List<Map<String, ColumnValue>> rows)
            throws SQLException {
        if (manySql == null || rows.size() < 2) {
            batch(oneSql, params, rows);
            return;
        }
        PreparedStatement ps = statement(manySql);
        for (int i = 0; i < params.size(); i++) {
            String[] column = new String[rows.size()];
            for (int r = 0; r < column.length; r++) {
                ColumnValue v = rows.get(r).get(params.get(i));
                column[r] = v == null || v.isNull() ? null : v.text();
            }
            ps.setArray(i + 1, target.createArrayOf("text", column));
        }
        ps.executeUpdate();
    }

    private PreparedStatement statement(String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = target.prepareStatement(sql);
            statements.put(sql, ps);
        }
        return ps;
    }

    private int[] batch(String sql, List<String> params, List<Map<String, ColumnValue>> rows) throws SQLException {
        PreparedStatement ps = statement(sql);
        for (Map<String, ColumnValue> row : rows) {
            bind(ps, params, row);
            ps.addBatch();
        }
        return ps.executeBatch();
    }

    private static void bind(PreparedStatement ps, List<String> params, Map<String, ColumnValue> row)
            throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            ColumnValue v = row.get(params.get(i));
            if (v == null || v.isNull()) {
                ps.setNull(i + 1, Types.VARCHAR);
            }
            else {
                ps.setString(i + 1, v.text());
            }
        }
    }

    @Override
    public void close() throws SQLException {
        for (PreparedStatement ps : statements.values()) {
            ps.close();
        }
        try {
            if (!target.getAutoCommit()) {
                target.rollback();
            }
        }
        finally {
            target.close();
        }
    }
}
