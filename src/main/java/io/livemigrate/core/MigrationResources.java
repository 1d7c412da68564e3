package io.livemigrate.core;

import com.zaxxer.hikari.HikariDataSource;
import io.livemigrate.engine.Endpoint;
import io.livemigrate.engine.Engine;
import io.livemigrate.engine.Engines;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;
import io.livemigrate.plan.ConnectionFailure;
import io.livemigrate.plan.MigrationPlan;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What every job of one migration shares: the plan, its engine, a connection pool per side, and the source's
 * table definitions (read once per process).
 */
public final class MigrationResources implements AutoCloseable {

    private final MigrationPlan plan;
    private final Engine engine;
    private final HikariDataSource source;
    private final HikariDataSource target;
    private final Map<TableId, TableInfo> tables = new ConcurrentHashMap<>();

    public MigrationResources(MigrationPlan plan) {
        this.plan = plan;
        this.engine = Engines.of(plan.engineKind());
        int connections = plan.copy().threads() + 2;
        this.source = open(plan.source(), connections);
        try {
            // catch-up holds one target connection per apply thread and one for its state, while its re-check reads
            this.target = open(plan.target(), Math.max(connections, plan.catchup().applyThreads() + 3));
        }
        catch (RuntimeException e) {
            source.close();
            throw e;
        }
    }

    private HikariDataSource open(Endpoint endpoint, int connections) {
        return openPool(engine, endpoint, connections);
    }

    /** A pool on {@code endpoint}; a server that cannot be reached or refuses the login is a {@link ConnectionFailure}. */
    public static HikariDataSource openPool(Engine engine, Endpoint endpoint, int connections) {
        try {
            return engine.openPool(endpoint, connections);
        }
        catch (RuntimeException e) {
            throw ConnectionFailure.of(endpoint, e);
        }
    }

    public MigrationPlan plan() {
        return plan;
    }

    public Engine engine() {
        return engine;
    }

    public HikariDataSource source() {
        return source;
    }

    public HikariDataSource target() {
        return target;
    }

    /** The source definition of a table, read once and cached. */
    public TableInfo sourceTable(TableId id) {
        return tables.computeIfAbsent(id, this::describeSource);
    }

    private TableInfo describeSource(TableId id) {
        try (Connection c = source.getConnection()) {
            return engine.describe(c, id).orElseThrow(() -> new IllegalStateException(
                    "table " + id + " no longer exists on the source"));
        }
        catch (SQLException e) {
            throw new IllegalStateException("cannot read the definition of " + id + " on the source: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        source.close();
        target.close();
    }
}
