package io.livemigrate.schema;

import io.livemigrate.engine.TableDdl;
import io.livemigrate.engine.TableId;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The DDL a copy leaves for later, kept on the target in {@code livemigrate.deferred_ddl}: each table's statements are
 * recorded, and committed, before the table is created, so a process killed at any point still knows what every
 * table it created lacks (the job repository would only learn it when the step ended). Each statement is marked
 * built once it exists on the target; building is idempotent (an object that already exists counts as built).
 *
 * <p>Who builds what, by {@link DdlPhase}: the copy builds {@code KEY} and {@code INDEX} entries when its data is in
 * ({@code KEY} also before a restarted copy redoes any slice); catch-up builds {@code CONSTRAINT} and then
 * {@code FOREIGN_KEY} entries once it has applied past the position where the copy ended, because the copy is not a
 * snapshot and the target may hold states the source never had until then; the cutover refuses while any is unbuilt.
 */
public final class DeferredDdl {

    private static final String DELETE_TABLE = "DELETE FROM livemigrate.deferred_ddl WHERE plan = ? AND target_table = ?";
    private static final String INSERT = "INSERT INTO livemigrate.deferred_ddl (plan, target_table, phase, ordinal, "
            + "statement, built_at) VALUES (?, ?, ?, ?, ?, NULL)";
    private static final String PENDING = "SELECT target_table, phase, ordinal, statement FROM livemigrate.deferred_ddl "
            + "WHERE plan = ? AND built_at IS NULL ORDER BY target_table, ordinal";
    private static final String EXISTS = "SELECT 1 FROM information_schema.tables WHERE table_schema = 'livemigrate' "
            + "AND table_name = 'deferred_ddl'";
    private static final String BUILT = "UPDATE livemigrate.deferred_ddl SET built_at = ? "
            + "WHERE plan = ? AND target_table = ? AND phase = ? AND ordinal = ?";

    /** One statement left for later. */
    public record Entry(TableId table, DdlPhase phase, int ordinal, String statement) {
    }

    private DeferredDdl() {
    }

    /**
     * Records, and commits, what {@code ddl} leaves for later on {@code table}, replacing what an earlier attempt at
     * creating it recorded. Runs in a transaction of its own on {@code target} (which the state tables must exist on).
     */
    public static void record(Connection target, String plan, TableId table, TableDdl ddl) throws SQLException {
        List<Entry> entries = new ArrayList<>();
        int ordinal = 0;
        if (ddl.keyIndex() != null) {
            entries.add(new Entry(table, DdlPhase.KEY, ordinal++, ddl.keyIndex()));
        }
        for (String sql : ddl.indexes()) {
            entries.add(new Entry(table, DdlPhase.INDEX, ordinal++, sql));
        }
        for (String sql : ddl.constraints()) {
            entries.add(new Entry(table, DdlPhase.CONSTRAINT, ordinal++, sql));
        }
        for (String sql : ddl.foreignKeys()) {
            entries.add(new Entry(table, DdlPhase.FOREIGN_KEY, ordinal++, sql));
        }
        boolean autoCommit = target.getAutoCommit();
        target.setAutoCommit(false);
        try {
            try (PreparedStatement delete = target.prepareStatement(DELETE_TABLE)) {
                delete.setString(1, plan);
                delete.setString(2, table.qualified());
                delete.executeUpdate();
            }
            try (PreparedStatement insert = target.prepareStatement(INSERT)) {
                for (Entry e : entries) {
                    insert.setString(1, plan);
                    insert.setString(2, e.table().qualified());
                    insert.setString(3, e.phase().name());
                    insert.setInt(4, e.ordinal());
                    insert.setString(5, e.statement());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            target.commit();
        }
        catch (SQLException | RuntimeException e) {
            target.rollback();
            throw e;
        }
        finally {
            target.setAutoCommit(autoCommit);
        }
    }

    /** The statements of {@code phases} not built yet, by table and in recorded order. */
    public static List<Entry> pending(Connection target, String plan, Set<DdlPhase> phases) throws SQLException {
        List<Entry> entries = new ArrayList<>();
        try (PreparedStatement ps = target.prepareStatement(PENDING)) {
            ps.setString(1, plan);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    DdlPhase phase = DdlPhase.valueOf(rs.getString(2));
                    if (phases.contains(phase)) {
                        entries.add(new Entry(TableId.parse(rs.getString(1)), phase, rs.getInt(3), rs.getString(4)));
                    }
                }
            }
        }
        return entries;
    }

    /** As {@link #pending(Connection, String, Set)}; empty on a server where no copy recorded anything. */
    public static List<Entry> pendingIfRecorded(Connection c, String plan, Set<DdlPhase> phases) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(EXISTS); ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return List.of();
            }
        }
        return pending(c, plan, phases);
    }

    /** As {@link #pending(Connection, String, Set)}, through a connection of the pool. */
    public static List<Entry> pending(DataSource target, String plan, Set<DdlPhase> phases) throws SQLException {
        try (Connection c = target.getConnection()) {
            return pending(c, plan, phases);
        }
    }

    /**
     * Builds every pending statement of {@code phases} that {@code tables} (null: any) own, phase by phase in the order
     * given, {@code threads} statements of a phase at a time, each marked built as it finishes.
     *
     * @return how many were built
     */
    public static int build(DataSource target, String plan, List<DdlPhase> phases, Set<TableId> tables, int threads)
            throws Exception {
        int built = 0;
        for (DdlPhase phase : phases) {
            List<Entry> entries = pending(target, plan, EnumSet.of(phase)).stream()
                    .filter(e -> tables == null || tables.contains(e.table())).toList();
            ParallelDdl.runAll(target, entries, Entry::statement, threads, e -> markBuilt(target, plan, e));
            built += entries.size();
        }
        return built;
    }

    /** Runs statements recorded nowhere (ANALYZE), {@code threads} at a time, each on its own connection. */
    public static void runAll(DataSource target, List<String> statements, int threads) throws Exception {
        ParallelDdl.runAll(target, statements, sql -> sql, threads, sql -> { });
    }

    private static void markBuilt(DataSource target, String plan, Entry e) {
        try (Connection c = target.getConnection(); PreparedStatement ps = c.prepareStatement(BUILT)) {
            if (!c.getAutoCommit()) {
                c.setAutoCommit(true);
            }
            ps.setString(1, Instant.now().toString());
            ps.setString(2, plan);
            ps.setString(3, e.table().qualified());
            ps.setString(4, e.phase().name());
            ps.setInt(5, e.ordinal());
            ps.executeUpdate();
        }
        catch (SQLException failure) {
            throw new IllegalStateException("recording that " + e.phase().label() + " of " + e.table()
                    + " is built: " + failure.getMessage(), failure);
        }
    }
}
