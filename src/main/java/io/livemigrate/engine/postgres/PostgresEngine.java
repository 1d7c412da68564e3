package io.livemigrate.engine.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.Dialect;
import io.livemigrate.engine.Engine;
import io.livemigrate.engine.Finding;
import io.livemigrate.engine.KeyValue;
import io.livemigrate.engine.TableDdl;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;
import io.livemigrate.plan.Endpoint;
import io.livemigrate.plan.EngineKind;
import io.livemigrate.plan.TableFilter;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

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
    public List<TableId> listTables(Connection connection, TableFilter filter) throws SQLException {
        return PostgresCatalog.listTables(connection, filter);
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
    public List<Finding> checkTable(Connection source, TableInfo table) throws SQLException {
        return PostgresPreflight.checkTable(source, table);
    }

    @Override
    public List<KeyValue> sampleBoundaries(Connection source, TableInfo table, int ranges) throws SQLException {
        return PostgresKeySampler.sampleBoundaries(source, table, ranges);
    }

    @Override
    public long copyRange(Connection source, Connection target, TableInfo table, TableId targetTable,
                          KeyValue lowerExclusive, KeyValue upperInclusive) throws SQLException {
        requireSameName(table, targetTable);
        return PostgresBulkCopier.copyRange(source, target, table, lowerExclusive, upperInclusive);
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
}
