package io.livemigrate.engine.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.livemigrate.engine.ApplyKeys;
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
 * PostgreSQL: catalog reads from pg_catalog, COPY piped between servers for the bulk copy, and a pgoutput logical
 * replication slot for the change-capture start. Each concern lives in its own package-private class.
 */
public final class PostgresEngine implements Engine {

    @Override
    public EngineKind kind() {
        return EngineKind.POSTGRESQL;
    }

    @Override
    public Dialect dialect() {
        return PostgresDialect.INSTANCE;
    }

    @Override
    public HikariDataSource openPool(Endpoint endpoint, int maxConnections) {
        return PostgresPoolFactory.open(endpoint, maxConnections);
    }

    @Override
    public List<TableId> listTables(Connection connection, Predicate<TableId> selected) throws SQLException {
        return PostgresCatalog.listTables(connection, selected);
    }

    @Override
    public Optional<TableInfo> describe(Connection connection, TableId table) throws SQLException {
        return PostgresCatalog.describe(connection, table);
    }

    @Override
    public TableDdl tableDdl(Connection source, TableInfo table, TableId targetTable) throws SQLException {
        requireSameName(table, targetTable);
        return PostgresDdl.tableDdl(source, table);
    }

    @Override
    public List<Finding> checkServer(Connection connection, Endpoint endpoint, boolean isSource) throws SQLException {
        return PostgresPreflight.checkServer(connection, endpoint, isSource);
    }

    @Override
    public io.livemigrate.engine.KeyOrdering keyOrdering() {
        return new PostgresKeyOrdering();
    }

    @Override
    public List<Finding> checkTable(Connection source, TableInfo table) throws SQLException {
        return PostgresPreflight.checkTable(source, table);
    }

    @Override
    public List<Finding> checkTableOnTarget(Connection source, Connection target, TableInfo table)
            throws SQLException {
        return PostgresPreflight.checkExtensions(source, target, table);
    }

    @Override
    public List<KeyValue> sampleBoundaries(Connection source, TableInfo table, int ranges) throws SQLException {
        return PostgresKeySampler.sampleBoundaries(source, table, ranges);
    }

    @Override
    public long copyRange(Connection source, Connection target, TableInfo table, TableId targetTable,
                          KeyValue lowerExclusive, KeyValue upperInclusive, TargetRange range) throws SQLException {
        requireSameName(table, targetTable);
        return PostgresBulkCopier.copyRange(source, target, table, lowerExclusive, upperInclusive, range);
    }

    /** PostgreSQL moves a database to another database: tables keep their schema-qualified names. */
    private static void requireSameName(TableInfo table, TableId targetTable) {
        if (!table.id().equals(targetTable)) {
            throw new IllegalArgumentException("PostgreSQL tables keep their names: cannot copy " + table.id()
                    + " to " + targetTable);
        }
    }

    @Override
    public ChangePosition capturePosition(Connection source, String captureName) throws SQLException {
        return PostgresSlot.capture(source, captureName);
    }

    @Override
    public CutoverDialect cutover() {
        return new PostgresCutoverDialect();
    }

    @Override
    public io.livemigrate.engine.RehearsalDialect rehearsal() {
        return PostgresRehearsal.INSTANCE;
    }

    @Override
    public ChangePosition markPosition(Connection source, String plan) throws SQLException {
        return PostgresMark.mark(source);
    }

    @Override
    public ChunkDigester chunkDigester(Connection source, Connection target, TableInfo table) throws SQLException {
        return new PostgresChunkDigest(table, source.getMetaData().getDatabaseMajorVersion() >= 14
                && target.getMetaData().getDatabaseMajorVersion() >= 14);
    }

    @Override
    public ChangePosition capturePosition(Connection source, String captureName, List<TableId> tables)
            throws SQLException {
        // The publication must exist before the slot's start: pgoutput reads it as of each change's WAL position.
        PostgresPublication.ensure(source, captureName, tables);
        return PostgresSlot.capture(source, captureName);
    }

    @Override
    public ChangeStream openChangeStream(Endpoint source, ChangePosition from, List<TableInfo> tables,
                                         String captureName) throws SQLException {
        return PostgresChangeStream.open(source, from, tables, captureName);
    }

    /** {@code INSERT ... VALUES (CAST(? AS type), ...) ON CONFLICT (key) DO UPDATE SET c = EXCLUDED.c}. */
    @Override
    public String upsertSql(TableInfo table, TableId targetTable, List<Column> columns) {
        return PostgresApplySql.upsert(table, targetTable, columns);
    }

    @Override
    public String upsertManySql(TableInfo table, TableId targetTable, List<Column> columns) {
        return PostgresApplySql.upsertMany(table, targetTable, columns);
    }

    @Override
    public String rewriteRowSql(TableInfo table, TableId targetTable, List<Column> set) {
        return PostgresApplySql.rewriteRow(table, targetTable, set);
    }

    @Override
    public String deleteManySql(TableInfo table, TableId targetTable) {
        return PostgresApplySql.deleteMany(table, targetTable);
    }

    /** As a native subscription does: no foreign key triggers fire (needs superuser; skipped when refused). */
    @Override
    public List<String> applySessionSetup() {
        // Asynchronous commits, as PostgreSQL's own subscription apply worker does: the source is acknowledged only
        // after a durable commit (durableCommitStatement), which flushes every earlier one too, so a target crash
        // loses nothing the source has released; catch-up resumes from the state row that survived.
        return List.of("SET session_replication_role = replica", "SET synchronous_commit TO off");
    }

    @Override
    public String durableCommitStatement() {
        return "SET LOCAL synchronous_commit TO on";
    }

    @Override
    public ApplyKeys applyKeys(Connection source, TableInfo table) throws SQLException {
        return PostgresApplyKeys.read(source, table);
    }

    @Override
    public List<String> catchupStateDdl() {
        return List.of("CREATE SCHEMA IF NOT EXISTS livemigrate",
                "CREATE TABLE IF NOT EXISTS livemigrate.catchup_state (plan varchar(200) NOT NULL PRIMARY KEY, "
                        + "position varchar(2000) NOT NULL, commit_time varchar(40), applied_at varchar(40) NOT NULL)",
                "CREATE TABLE IF NOT EXISTS livemigrate.changed_keys (plan varchar(200) NOT NULL, "
                        + "batch bigint NOT NULL, part int NOT NULL, key_count int NOT NULL, entries text NOT NULL, "
                        + "PRIMARY KEY (plan, batch, part))",
                "CREATE TABLE IF NOT EXISTS livemigrate.catchup_window (plan varchar(200) NOT NULL PRIMARY KEY, "
                        + "position varchar(2000) NOT NULL, applied text NOT NULL)",
                "CREATE TABLE IF NOT EXISTS livemigrate.deferred_ddl (plan varchar(200) NOT NULL, "
                        + "target_table varchar(400) NOT NULL, phase varchar(20) NOT NULL, ordinal int NOT NULL, "
                        + "statement text NOT NULL, built_at varchar(40), PRIMARY KEY (plan, target_table, phase, ordinal))");
    }
}
