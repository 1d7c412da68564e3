package io.livemigrate.ops;

import com.zaxxer.hikari.HikariDataSource;
import io.livemigrate.demo.EmbeddedServer;
import io.livemigrate.repository.RepositorySchema;
import io.livemigrate.testing.ExternalProcess;
import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.api.Assumptions;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A clustered pair's first start: several processes that meet an empty job repository at the same moment each
 * create its schema (Spring Batch's tables, livemigrate's, Quartz's for servers), and every one must start. Ten
 * rounds of three servers' and two workers' schema creation at once, each process with a pool of its own, on a new
 * database each round; then real server and worker JVMs started together.
 */
class ConcurrentFirstStartTest {

    private static final int ROUNDS = 10;
    private static final List<String> TABLES = List.of("BATCH_JOB_INSTANCE", "BATCH_STEP_EXECUTION_CONTEXT",
            "LIVEMIGRATE_THROTTLE", "LIVEMIGRATE_SCHEDULE_RUN", "LIVEMIGRATE_PARTITION_LEASE", "LIVEMIGRATE_VERIFY_TABLE",
            "LIVEMIGRATE_VERIFY_DIFF", "QRTZ_FIRED_TRIGGERS", "QRTZ_LOCKS");

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"postgres", "mariadb"})
    void threeServersAndTwoWorkersCreateTheSchemaAtTheSameMoment(String engine) throws Exception {
        EmbeddedServer server = server(engine);
        ExecutorService pool = Executors.newFixedThreadPool(5);
        try {
            for (int round = 1; round <= ROUNDS; round++) {
                String url = server.newDatabase("first_start");
                CyclicBarrier together = new CyclicBarrier(5);
                List<Future<?>> processes = new ArrayList<>();
                for (int p = 0; p < 5; p++) {
                    boolean isServer = p < 3;
                    processes.add(pool.submit(() -> {
                        try (HikariDataSource ds = dataSource(server, url)) {
                            ds.getConnection().close();
                            together.await(60, TimeUnit.SECONDS);
                            RepositorySchema.ensure(ds);
                            if (isServer) {
                                QuartzSchema.ensure(ds);
                            }
                        }
                        return null;
                    }));
                }
                for (int p = 0; p < processes.size(); p++) {
                    try {
                        processes.get(p).get(120, TimeUnit.SECONDS);
                    }
                    catch (java.util.concurrent.ExecutionException e) {
                        throw new AssertionError("round " + round + ": " + (p < 3 ? "server " : "worker ") + p
                                + " failed to create the schema: " + e.getCause(), e.getCause());
                    }
                }
                assertThat(missingTables(server, url)).as("round %d: tables missing", round).isEmpty();
            }
        }
        finally {
            pool.shutdownNow();
        }
    }

    /** The real thing once: three server JVMs and two worker JVMs started together on an empty repository. */
    @ParameterizedTest
    @ValueSource(strings = {"postgres", "mariadb"})
    void threeServerAndTwoWorkerProcessesStartTogether(String engine) throws Exception {
        EmbeddedServer server = server(engine);
        boolean rabbit = rabbitRunning();
        MigrationFixture m = new MigrationFixture(server, dir, "first_start_jvm");
        m.repository(server.newDatabase("first_start_repo"));
        Map<String, String> credentials = Map.of("LIVEMIGRATE_REPOSITORY_USER", server.user(),
                "LIVEMIGRATE_REPOSITORY_PASSWORD", server.password());
        m.appendToPlan("schedules:\n  every-2s: { cron: \"*/2 * * * * ?\", command: status }\n");
        List<Process> started = new ArrayList<>();
        int[] ports = new int[3];
        try {
            for (int i = 0; i < 3; i++) {
                ports[i] = ExternalProcess.freePort();
                started.add(ChildJvm.start(dir.resolve("server-" + i + ".log"), credentials, "server", "--plan",
                        m.plan().toString(), "--repository", m.repositoryUrl(), "--port", String.valueOf(ports[i])));
            }
            if (rabbit) {
                for (int i = 0; i < 2; i++) {
                    started.add(ChildJvm.start(dir.resolve("worker-" + i + ".log"), credentials, "worker", "--plan",
                            m.plan().toString(), "--repository", m.repositoryUrl(), "--broker",
                            "amqp://guest:guest@127.0.0.1:5672"));
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            for (int i = 0; i < 3; i++) {
                awaitUntil(deadline, started.get(i), dir.resolve("server-" + i + ".log"), healthUp(ports[i]));
            }
            for (int i = 0; i < (rabbit ? 2 : 0); i++) {
                Path log = dir.resolve("worker-" + i + ".log");
                awaitUntil(deadline, started.get(3 + i), log, () -> Files.readString(log).contains("at a time from queue"));
            }
            assertThat(missingTables(server, m.repositoryUrl())).isEmpty();
        }
        finally {
            for (Process p : started) {
                p.destroy();
            }
            for (Process p : started) {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            if (rabbit) {
                deleteQueue("livemigrate." + m.planName());
            }
        }
        Assumptions.assumeTrue(rabbit, "RabbitMQ is not running at 127.0.0.1:5672: the three servers started; the "
                + "two workers were skipped (apt-get install rabbitmq-server; .ci/run starts it)");
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static Condition healthUp(int port) {
        return () -> {
            try {
                return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/actuator/health")).build(), HttpResponse.BodyHandlers.ofString()).body().contains("UP");
            }
            catch (IOException notYet) {
                return false;
            }
        };
    }

    private static void awaitUntil(long deadline, Process p, Path log, Condition started) throws Exception {
        while (!started.holds()) {
            if (!p.isAlive()) {
                throw new AssertionError(log.getFileName() + ": the process ended:\n" + Files.readString(log));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(log.getFileName() + ": not started in 300 s:\n" + Files.readString(log));
            }
            Thread.sleep(300);
        }
    }

    private static EmbeddedServer server(String engine) {
        return engine.equals("postgres") ? TestDatabases.postgres() : TestDatabases.mariadb();
    }

    private static HikariDataSource dataSource(EmbeddedServer server, String url) {
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(url);
        ds.setUsername(server.user());
        ds.setPassword(server.password());
        ds.setMaximumPoolSize(10);
        return ds;
    }

    private static List<String> missingTables(EmbeddedServer server, String url) throws SQLException {
        List<String> missing = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url, server.user(), server.password())) {
            for (String table : TABLES) {
                try (var rs = c.getMetaData().getTables(c.getCatalog(), null, table, new String[] {"TABLE"});
                     var lower = c.getMetaData().getTables(c.getCatalog(), null, table.toLowerCase(),
                             new String[] {"TABLE"})) {
                    if (!rs.next() && !lower.next()) {
                        missing.add(table);
                    }
                }
            }
        }
        return missing;
    }

    private static void deleteQueue(String queue) {
        CachingConnectionFactory factory = new CachingConnectionFactory("127.0.0.1", 5672);
        try {
            new RabbitAdmin(factory).deleteQueue(queue);
        }
        finally {
            factory.destroy();
        }
    }

    private static boolean rabbitRunning() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", 5672), 1000);
            return true;
        }
        catch (IOException e) {
            return false;
        }
    }
}
