package io.livemigrate.engine.mysql;

import com.zaxxer.hikari.HikariDataSource;
import io.livemigrate.engine.ApplyKeys;
import io.livemigrate.engine.CascadingForeignKey;
import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.ChangeStream;
import io.livemigrate.engine.ChunkDigester;
import io.livemigrate.engine.Column;
import io.livemigrate.engine.CutoverDialect;
import io.livemigrate.engine.Dialect;
import io.livemigrate.engine.Endpoint;
import io.livemigrate.engine.Engine;
import io.livemigrate.engine.EngineKind;
import io.livemigrate.engine.Finding;
import io.livemigrate.engine.KeyValue;
import io.livemigrate.engine.TableDdl;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;
import io.livemigrate.engine.TargetRange;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * MySQL and MariaDB (the same protocol and engine here, through Connector/J). Each concern lives in its own
 * package-private class; this one only routes. Stateless and thread-safe.
 */
public final class MySqlEngine implements Engine {

    @Override
    public EngineKind kind() {
        return EngineKind.MYSQL;
    }

    @Override
    public String targetSchema(Endpoint source, Endpoint target, String sourceSchema) {
        String sourceDb = source.database();
        String targetDb = target.database();
        return sourceDb != null && targetDb != null && sourceDb.equals(sourceSchema) ? targetDb : sourceSchema;
    }

    @Override
    public Dialect dialect() {
        return MySqlDialect.INSTANCE;
    }

    @Override
    public HikariDataSource openPool(Endpoint endpoint, int maxConnections) {
        return MySqlPools.open(endpoint, maxConnections);
    }

    @Override
    public List<TableId> listTables(Connection connection, Predicate<TableId> selected) throws SQLException {
        return MySqlCatalog.listTables(connection, selected);
    }

    @Override
    public Optional<TableInfo> describe(Connection connection, TableId table) throws SQLException {
        return MySqlCatalog.describe(connection, table);
    }

    @Override
    public TableDdl tableDdl(Connection source, TableInfo table, TableId targetTable) throws SQLException {
        return MySqlDdl.of(source, table, targetTable);
    }

    @Override
    public List<Finding> checkServer(Connection connection, Endpoint endpoint, boolean isSource)
            throws SQLException {
        return MySqlServerCheck.check(connection, endpoint, isSource);
    }

    @Override
    public io.livemigrate.engine.KeyOrdering keyOrdering() {
        return new MySqlKeyOrdering();
    }

    @Override
    public List<Finding> checkTable(Connection source, TableInfo table) throws SQLException {
        return MySqlTableCheck.check(source, table);
    }

    @Override
    public List<KeyValue> sampleBoundaries(Connection source, TableInfo table, int ranges) throws SQLException {
        return MySqlKeySampler.sample(source, table, ranges);
    }

    @Override
    public long copyRange(Connection source, Connection target, TableInfo table, TableId targetTable,
                          KeyValue lowerExclusive, KeyValue upperInclusive, TargetRange range) throws SQLException {
        return MySqlBulkCopier.copy(source, target, table, targetTable, lowerExclusive, upperInclusive, range);
    }

    @Override
    public ChangePosition capturePosition(Connection source, String captureName) throws SQLException {
        return MySqlPosition.capture(source);
    }

    @Override
    public CutoverDialect cutover() {
        return new MySqlCutoverDialect();
    }

    @Override
    public io.livemigrate.engine.RehearsalDialect rehearsal() {
        return MySqlRehearsal.INSTANCE;
    }

    @Override
    public ChangePosition markPosition(Connection source, String plan) throws SQLException {
        return MySqlMark.mark(source, plan);
    }

    @Override
    public ChunkDigester chunkDigester(Connection source, Connection target, TableInfo table) throws SQLException {
        return MySqlChunkDigest.of(source, target, table);
    }

    @Override
    public ChangeStream openChangeStream(Endpoint source, ChangePosition from, List<TableInfo> tables,
                                         String captureName) throws SQLException {
        return MySqlChangeStream.open(source, from, tables);
    }

    /** {@code INSERT ... ON DUPLICATE KEY UPDATE c = VALUES(c)}, values cast from text as key values are. */
    @Override
    public String upsertSql(TableInfo table, TableId targetTable, List<Column> columns) {
        MySqlDialect d = MySqlDialect.INSTANCE;
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(d.table(targetTable)).append(" (");
        StringBuilder values = new StringBuilder();
        StringBuilder update = new StringBuilder();
        for (Column c : columns) {
            if (values.length() > 0) {
                sql.append(", ");
                values.append(", ");
            }
            sql.append(d.quote(c.name()));
            values.append(d.keyParameter(c));
            if (!table.keyColumns().contains(c.name())) {
                update.append(update.length() > 0 ? ", " : "").append(d.quote(c.name())).append(" = VALUES(")
                        .append(d.quote(c.name())).append(')');
            }
        }
        sql.append(") VALUES (").append(values).append(") ON DUPLICATE KEY UPDATE ");
        if (update.length() == 0) {
            String k = d.quote(table.keyColumns().get(0));
            update.append(k).append(" = ").append(k);
        }
        return sql.append(update).toString();
    }

    @Override
    public List<CascadingForeignKey> unloggedCascades(Connection source, List<TableId> tables) throws SQLException {
        return MySqlForeignKeys.cascading(source, tables);
    }

    @Override
    public long repeatDeleteActionOnOrphans(Connection target, CascadingForeignKey key, TableId childTarget,
                                            TableId parentTarget) throws SQLException {
        return MySqlForeignKeys.repeatDeleteActionOnOrphans(target, key, childTarget, parentTarget);
    }

    /** Two or more unique indexes (the primary key counts): ON DUPLICATE KEY UPDATE may fire on the other one. */
    @Override
    public boolean upsertMayTouchOtherRows(Connection target, TableId targetTable) throws SQLException {
        return MySqlCatalog.uniqueIndexCount(target, targetTable) > 1;
    }

    @Override
    public List<String> applySessionSetup() {
        return List.of("SET SESSION foreign_key_checks = 0");
    }

    @Override
    public ApplyKeys applyKeys(Connection source, TableInfo table) throws SQLException {
        return MySqlApplyKeys.read(source, table);
    }

    @Override
    public List<String> catchupStateDdl() {
        return List.of("CREATE DATABASE IF NOT EXISTS livemigrate",
                "CREATE TABLE IF NOT EXISTS livemigrate.catchup_state (plan varchar(200) NOT NULL PRIMARY KEY, "
                        + "position varchar(2000) NOT NULL, commit_time varchar(40), applied_at varchar(40) NOT NULL)"
                        + " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
                "CREATE TABLE IF NOT EXISTS livemigrate.changed_keys (plan varchar(200) NOT NULL, "
                        + "batch bigint NOT NULL, part int NOT NULL, key_count int NOT NULL, entries longtext NOT NULL, "
                        + "PRIMARY KEY (plan, batch, part)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
                "CREATE TABLE IF NOT EXISTS livemigrate.catchup_window (plan varchar(200) NOT NULL PRIMARY KEY, "
                        + "position varchar(2000) NOT NULL, applied longtext NOT NULL) ENGINE=InnoDB DEFAULT "
                        + "CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
                "CREATE TABLE IF NOT EXISTS livemigrate.deferred_ddl (plan varchar(200) NOT NULL, "
                        + "target_table varchar(400) NOT NULL, phase varchar(20) NOT NULL, ordinal int NOT NULL, "
                        + "statement longtext NOT NULL, built_at varchar(40), PRIMARY KEY (plan, target_table, phase, "
                        + "ordinal)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin");
    }
}
