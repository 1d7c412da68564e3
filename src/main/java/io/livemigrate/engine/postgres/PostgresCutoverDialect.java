package io.livemigrate.engine.postgres;

import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.WalPosition;
import io.livemigrate.engine.CutoverDialect;
import io.livemigrate.engine.Engine;
import io.livemigrate.engine.Fence;
import io.livemigrate.engine.TableId;
import org.postgresql.replication.LogSequenceNumber;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** PostgreSQL: LSNs, setval, slot and publication, the role-based read-only fence. */
final class PostgresCutoverDialect implements CutoverDialect {

    /** Every sequence in the plan's schemas, set to the source's last value unless the target is already past it. */
    @Override
    public int advanceSequences(Connection source, Connection target, List<TableId> sourceTables,
                                UnaryOperator<TableId> targetTable) throws SQLException {
        String[] schemas = sourceTables.stream().map(TableId::schema).distinct().toArray(String[]::new);
        Map<TableId, Long> lastValues = new LinkedHashMap<>();
        try (PreparedStatement ps = source.prepareStatement("SELECT schemaname, sequencename, last_value "
                + "FROM pg_sequences WHERE schemaname = ANY(?) AND last_value IS NOT NULL")) {
            ps.setArray(1, source.createArrayOf("text", schemas));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    lastValues.put(new TableId(rs.getString(1), rs.getString(2)), rs.getLong(3));
                }
            }
        }
        int set = 0;
        for (Map.Entry<TableId, Long> e : lastValues.entrySet()) {
            TableId seq = targetTable.apply(e.getKey());
            String name = quote(seq.schema()) + "." + quote(seq.name());
            try (PreparedStatement ps = target.prepareStatement("SELECT setval(?::regclass, GREATEST(?, "
                    + "(SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM " + name + ")), true) "
                    + "WHERE to_regclass(?) IS NOT NULL")) {
                ps.setString(1, name);
                ps.setLong(2, e.getValue());
                ps.setString(3, name);
                ps.executeQuery().close();
                set++;
            }
        }
        return set;
    }

    /**
     * The slot's own position may lie before the present (a slot kept from an earlier direction); starting at the
     * current LSN is exact, since nothing has been written on the target since the fence. With the slot made before
     * the fence ({@link #prepareReverse}, which also brought its publication up to date) this is one query while
     * writes are held; without it, the slot and publication are made here.
     */
    @Override
    public ChangePosition reverseStart(Engine engine, Connection target, String captureName, List<TableId> tables)
            throws SQLException {
        try (PreparedStatement ps = target.prepareStatement("SELECT greatest(pg_current_wal_lsn(), confirmed_flush_lsn)"
                + "::text FROM pg_replication_slots WHERE slot_name = ? AND database = current_database()")) {
            ps.setString(1, captureName);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return new WalPosition(captureName, rs.getString(1));
                }
            }
        }
        WalPosition slot = (WalPosition) engine.capturePosition(target, captureName, tables);
        try (Statement st = target.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
            rs.next();
            LogSequenceNumber now = LogSequenceNumber.valueOf(rs.getString(1));
            LogSequenceNumber slotLsn = LogSequenceNumber.valueOf(slot.lsn());
            return new WalPosition(slot.slot(), (now.asLong() > slotLsn.asLong() ? now : slotLsn).asString());
        }
    }

    @Override
    public boolean prepareReverse(Engine engine, Connection target, String captureName, List<TableId> tables)
            throws SQLException {
        boolean existed = exists(target, "SELECT 1 FROM pg_replication_slots WHERE slot_name = ? "
                + "AND database = current_database()", captureName);
        engine.capturePosition(target, captureName, tables);
        return !existed;
    }

    @Override
    public void dropPreparedReverse(Connection target, String captureName) throws SQLException {
        dropSlotAndPublication(target, captureName, new ArrayList<>());
    }

    @Override
    public List<String> problems(Connection source, Connection target) throws SQLException {
        List<String> problems = new ArrayList<>();
        String here = preparedTransactions(source, true);
        if (here != null) {
            problems.add(here + " in the source database: their writes would commit whenever someone commits them, "
                    + "past any fence. COMMIT PREPARED or ROLLBACK PREPARED them, then run the cutover again");
        }
        String there = preparedTransactions(target, false);
        if (there != null && here == null) {
            problems.add(there + " on the target's server: creating the reverse stream's slot there waits for every "
                    + "running transaction, and a prepared one never ends by itself. COMMIT PREPARED or ROLLBACK "
                    + "PREPARED them, then run the cutover again");
        }
        return problems;
    }

    /** "N prepared transaction(s) (gid in database, ...)" in this database (or on its whole server), or null. */
    private static String preparedTransactions(Connection c, boolean thisDatabase) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*), string_agg(gid || ' in '"
                + " || database, ', ') FROM pg_prepared_xacts" + (thisDatabase ? " WHERE database = current_database()"
                : ""))) {
            return rs.next() && rs.getLong(1) > 0 ? rs.getLong(1) + " prepared transaction(s) (" + rs.getString(2) + ")"
                    : null;
        }
    }

    @Override
    public boolean pgBouncerFronts() {
        return true;
    }

    /** The fence revokes the application roles' writes, so without them it fences nothing. */
    @Override
    public boolean readOnlyFenceNeedsAppRoles() {
        return true;
    }

    @Override
    public Fence readOnlyFence(DataSource source, DataSource target, String database, List<String> appRoles,
                               List<io.livemigrate.engine.TableId> tables, String pair) {
        return new PostgresPrivilegeFence(source, target, database, pair, appRoles, tables);
    }

    @Override
    public List<String> dropCaptureObjects(Connection c, String captureName) throws SQLException {
        List<String> dropped = new ArrayList<>();
        dropSlotAndPublication(c, captureName, dropped);
        dropped.addAll(PostgresPrivilegeFence.liftAll(c));
        try (Statement st = c.createStatement()) {
            if (exists(c, "SELECT 1 FROM pg_namespace WHERE nspname = ?", "livemigrate")) {
                for (String table : List.of("catchup_state", "catchup_window", "changed_keys", "deferred_ddl", "fence")) {
                    if (exists(c, "SELECT 1 FROM pg_tables WHERE schemaname = 'livemigrate' AND tablename = ?", table)) {
                        st.execute("DROP TABLE livemigrate." + table);
                        dropped.add("state table livemigrate." + table);
                    }
                }
                if (!exists(c, "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        + "WHERE n.nspname = ?", "livemigrate")) {
                    st.execute("DROP SCHEMA livemigrate");
                }
            }
        }
        return dropped;
    }

    private static void dropSlotAndPublication(Connection c, String captureName, List<String> dropped)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_drop_replication_slot(slot_name) "
                + "FROM pg_replication_slots WHERE slot_name = ? AND database = current_database()")) {
            ps.setString(1, captureName);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    dropped.add("replication slot " + captureName);
                }
            }
        }
        if (exists(c, "SELECT 1 FROM pg_publication WHERE pubname = ?", captureName)) {
            try (Statement st = c.createStatement()) {
                st.execute("DROP PUBLICATION " + quote(captureName));
            }
            dropped.add("publication " + captureName);
        }
    }

    private static boolean exists(Connection c, String sql, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }
}
