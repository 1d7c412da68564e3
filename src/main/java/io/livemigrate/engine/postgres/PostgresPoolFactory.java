package io.livemigrate.engine.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.livemigrate.engine.Endpoint;

/**
 * Connection pools whose sessions all render values the same way, so text copied or compared between two servers
 * is exact: UTC, ISO dates, postgres-style intervals, and shortest-exact floats (extra_float_digits=3).
 *
 * <p>They also turn off the server's parallel query: the jobs already run {@code threads} ranges at once on each
 * server, and parallel workers on top of that only contend for the same cores.
 */
final class PostgresPoolFactory {

    /** Run on every new connection; pgjdbc executes the statements of one string in order. */
    static final String SESSION_SETUP = "SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, MDY'; "
            + "SET IntervalStyle = 'postgres'; SET extra_float_digits = 3; SET max_parallel_workers_per_gather = 0";

    private PostgresPoolFactory() {
    }

    static HikariDataSource open(Endpoint endpoint, int maxConnections) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("livemigrate-" + endpoint.role());
        config.setJdbcUrl(endpoint.url());
        config.setUsername(endpoint.user());
        if (!endpoint.password().isEmpty()) {
            config.setPassword(endpoint.password().reveal());
        }
        config.setMaximumPoolSize(maxConnections);
        config.setMinimumIdle(Math.min(1, maxConnections));
        config.setAutoCommit(true);
        config.setConnectionInitSql(SESSION_SETUP);
        config.setConnectionTimeout(10_000);
        // One attempt at start-up: a wrong host or password fails now, with the driver's exception (and its
        // SQLState, e.g. 28P01 or 08001) as the cause, instead of a retry loop hiding it.
        config.setInitializationFailTimeout(1);
        config.addDataSourceProperty("connectTimeout", "10");
        config.addDataSourceProperty("ApplicationName", "livemigrate-" + endpoint.role());
        // Catch-up's batches of upserts go as multi-row INSERT ... ON CONFLICT statements (one executor run per
        // 128 rows instead of one per row). Safe: a batch never holds the same key twice (ChangeApplier keeps one
        // operation per key), which a multi-row ON CONFLICT DO UPDATE would refuse.
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        return new HikariDataSource(config);
    }
}
