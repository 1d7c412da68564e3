package io.livemigrate.cutover;

import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.Engine;
import io.livemigrate.engine.TableId;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** MySQL/MariaDB: binlog file/pos, AUTO_INCREMENT, the global read_only fence. */
final class MySqlCutoverDialect implements CutoverDialect {

    private static final String MARKER_DDL = "CREATE TABLE IF NOT EXISTS livemigrate.cutover_marker "
            + "(plan varchar(200) PRIMARY KEY, marked_at varchar(40))";

    /**
     * The binlog position after the fence, then a marker transaction after it (the cutover's user may write under
     * read_only: it needs SUPER or READ_ONLY ADMIN), which moves an otherwise idle stream past the position.
     */
    @Override
    public ChangePosition drainPosition(Connection source, String plan) throws SQLException {
        try (Statement st = source.createStatement()) {
            st.execute("CREATE DATABASE IF NOT EXISTS livemigrate");
            st.execute(MARKER_DDL);
            ChangePosition position;
            try (ResultSet rs = st.executeQuery("SHOW MASTER STATUS")) {
                if (!rs.next()) {
                    throw new IllegalStateException("the source has no binary log (SHOW MASTER STATUS is empty)");
                }
                position = new ChangePosition("mysql", Map.of("file", rs.getString(1), "pos", rs.getString(2)));
            }
            try (PreparedStatement ps = source.prepareStatement(
                    "REPLACE INTO livemigrate.cutover_marker (plan, marked_at) VALUES (?, ?)")) {
                ps.setString(1, plan);
                ps.setString(2, java.time.Instant.now().toString());
                ps.executeUpdate();
            }
            if (!source.getAutoCommit()) {
                source.commit();
            }
            return position;
        }
    }

    /** Binlog files are named {@code base.000123}: the numeric suffix orders them. */
    @Override
    public boolean reached(ChangePosition applied, ChangePosition drain) {
        long appliedFile = fileNumber(applied.get("file"));
        long drainFile = fileNumber(drain.get("file"));
        return appliedFile > drainFile
                || (appliedFile == drainFile && Long.parseLong(applied.get("pos")) >= Long.parseLong(drain.get("pos")));
    }

    private static long fileNumber(String file) {
        return Long.parseLong(file.substring(file.lastIndexOf('.') + 1));
    }

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
    public Fence readOnlyFence(DataSource source, DataSource target, String database, List<String> appRoles) {
        return new MySqlReadOnlyFence(source, target, appRoles);
    }

    @Override
    public List<String> dropCaptureObjects(Connection c, String captureName) throws SQLException {
        List<String> dropped = new ArrayList<>();
        try (Statement st = c.createStatement()) {
            for (String table : List.of("catchup_state", "changed_rows", "cutover_marker")) {
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
