package io.livemigrate.engine.mysql;

import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.CutoverDialect;
import io.livemigrate.engine.Engine;
import io.livemigrate.engine.Fence;
import io.livemigrate.engine.TableId;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** MySQL/MariaDB: binlog file/pos, AUTO_INCREMENT, the global read_only fence. */
final class MySqlCutoverDialect implements CutoverDialect {


    /** AUTO_INCREMENT of each table on the target raised to the source's next value (never lowered). */
    @Override
    public int advanceSequences(Connection source, Connection target, List<TableId> sourceTables,
                                UnaryOperator<TableId> targetTable) throws SQLException {
        liveStatistics(source);
        liveStatistics(target);
        int set = 0;
        for (TableId table : sourceTables) {
            long sourceNext = autoIncrement(source, table);
            TableId t = targetTable.apply(table);
            if (sourceNext > 0 && sourceNext > autoIncrement(target, t)) {
                try (Statement st = target.createStatement()) {
                    st.execute("ALTER TABLE " + quote(t.schema()) + "." + quote(t.name()) + " AUTO_INCREMENT = " + sourceNext);
                }
                set++;
            }
        }
        return set;
    }

    /** MySQL 8 caches information_schema statistics for a day by default; MariaDB has no such setting. */
    private static void liveStatistics(Connection c) {
        try (Statement st = c.createStatement()) {
            st.execute("SET SESSION information_schema_stats_expiry = 0");
        }
        catch (SQLException mariaDb) {
            // not MySQL 8: statistics are live already
        }
    }

    private static long autoIncrement(Connection c, TableId table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT AUTO_INCREMENT FROM information_schema.TABLES "
                + "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?")) {
            ps.setString(1, table.schema());
            ps.setString(2, table.name());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    /** The current binlog position: nothing has been written on the target since the fence. */
    @Override
    public ChangePosition reverseStart(Engine engine, Connection target, String captureName, List<TableId> tables)
            throws SQLException {
        return engine.capturePosition(target, captureName, tables);
    }

    @Override
    public Fence readOnlyFence(DataSource source, DataSource target, String database, List<String> appRoles,
                               List<io.livemigrate.engine.TableId> tables, String pair) {
        return new MySqlReadOnlyFence(source, target, appRoles);
    }

    @Override
    public List<String> dropCaptureObjects(Connection c, String captureName) throws SQLException {
        List<String> dropped = new ArrayList<>();
        try (Statement st = c.createStatement()) {
            for (String table : List.of("catchup_state", "catchup_window", "changed_keys", "deferred_ddl", "cutover_marker")) {
                try (ResultSet rs = st.executeQuery("SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                        + "'livemigrate' AND TABLE_NAME = '" + table + "'")) {
                    if (!rs.next()) {
                        continue;
                    }
                }
                st.execute("DROP TABLE livemigrate." + table);
                dropped.add("state table livemigrate." + table);
            }
            try (ResultSet rs = st.executeQuery("SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                    + "'livemigrate'")) {
                rs.next();
                if (rs.getInt(1) == 0) {
                    st.execute("DROP DATABASE IF EXISTS livemigrate");
                }
            }
        }
        return dropped;
    }

    static String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }
}
