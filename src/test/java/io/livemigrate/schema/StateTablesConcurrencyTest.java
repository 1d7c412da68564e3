package io.livemigrate.schema;

import io.livemigrate.demo.EmbeddedServer;
import io.livemigrate.engine.EngineKind;
import io.livemigrate.engine.Engines;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * livemigrate's state tables on a database it writes to, created by several processes at the same moment (copies
 * of two plans into one target database, a catch-up and a cutover starting together): each must succeed. Ten
 * rounds of five sessions at once, a new database each round.
 */
class StateTablesConcurrencyTest {

    @ParameterizedTest
    @ValueSource(strings = {"postgres", "mariadb"})
    void fiveSessionsCreateTheStateTablesAtTheSameMoment(String engine) throws Exception {
        EmbeddedServer server = engine.equals("postgres") ? TestDatabases.postgres() : TestDatabases.mariadb();
        EngineKind kind = engine.equals("postgres") ? EngineKind.POSTGRESQL : EngineKind.MYSQL;
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            for (int round = 1; round <= 10; round++) {
                String url = server.newDatabase("state_tables");
                CyclicBarrier together = new CyclicBarrier(5);
                List<Future<?>> sessions = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    sessions.add(pool.submit(() -> {
                        try (Connection c = DriverManager.getConnection(url, server.user(), server.password())) {
                            together.await(60, TimeUnit.SECONDS);
                            StateTables.ensure(c, Engines.of(kind));
                        }
                        return null;
                    }));
                }
                for (Future<?> session : sessions) {
                    try {
                        session.get(120, TimeUnit.SECONDS);
                    }
                    catch (ExecutionException e) {
                        throw new AssertionError("round " + round + ": " + e.getCause(), e.getCause());
                    }
                }
            }
        }
        finally {
            pool.shutdownNow();
        }
    }
}
