package io.livemigrate.scaleout;

import io.livemigrate.demo.EmbeddedServer;
import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TableContents;
import io.livemigrate.testing.TestDatabases;
import io.livemigrate.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Scale-out through RabbitMQ with real processes: a manager and two worker JVMs copy several tables; one worker is
 * killed with {@code kill -9} in the middle of a partition; its partition ends FAILED after the heartbeat timeout
 * while the other worker finishes the rest; running {@code copy} again re-runs only the failed partitions and the
 * target equals the source exactly.
 */
class RemoteCopyTest {

    private static final String[] TABLES = {"orders", "customers", "events"};
    private static final Pattern RUNNING = Pattern.compile("worker (\\S+): running (copy-range:\\S+)");

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();
    private String queue;

    @AfterEach
    void stopProcesses() throws IOException {
        processes.forEach(Process::destroyForcibly);
        try (var logs = Files.list(dir)) {
            for (Path log : logs.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                System.out.println("==== " + log.getFileName() + "\n" + Files.readString(log));
            }
        }
        if (queue != null) {
            RabbitMq.deleteQueue(queue);
        }
    }

    @Test
    void workerKilledMidPartitionFailsOnlyItsPartitionsAndARerunCompletesAnExactCopy() throws Exception {
        RabbitMq.assumeRunning();
        EmbeddedServer server = TestDatabases.postgres();
        MigrationFixture m = new MigrationFixture(server, dir, "remote")
                .copyOptions("{ threads: 2, chunk-rows: 200, partition-rows: 25000 }");
        // The repository all three processes share: PostgreSQL, as remote mode requires (see ScaleOutContexts).
        m.repository(TestServer.of(server).newDatabase("remote_repo") + "?user=" + server.user() + "&password="
                + server.password());
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE orders (id bigint PRIMARY KEY, payload text, n numeric)",
                    "INSERT INTO orders SELECT g, md5(g::text) || repeat('x', g % 40), g / 7.0 FROM generate_series(1, 200000) g",
                    "CREATE TABLE customers (id int PRIMARY KEY, name text, born date)",
                    "INSERT INTO customers SELECT g, 'c' || g, date '1950-01-01' + g % 20000 FROM generate_series(1, 75000) g",
                    "CREATE TABLE events (tenant int, seq int, body jsonb, PRIMARY KEY (tenant, seq))",
                    "INSERT INTO events SELECT g % 13, g, jsonb_build_object('g', g) FROM generate_series(1, 75000) g",
                    "ANALYZE");
        }
        queue = "livemigrate.test." + dir.getFileName().toString().replaceAll("[^A-Za-z0-9]", "");
        Files.writeString(m.plan(), "workers: { mode: remote, broker: \"" + RabbitMq.URI + "\", queue: \"" + queue
                + "\", heartbeat: 500ms, timeout: 4s }\n", StandardOpenOption.APPEND);

        Path logA = dir.resolve("worker-a.log");
        Path logB = dir.resolve("worker-b.log");
        Process a = start(m, "worker", logA);
        Process b = start(m, "worker", logB);
        awaitLog(logA, a, l -> l.contains("partition(s) at a time from queue"));
        awaitLog(logB, b, l -> l.contains("partition(s) at a time from queue"));

        Path managerLog = dir.resolve("manager.log");
        Process manager = start(m, "copy", managerLog);
        // kill worker b while it is inside a partition: it has started more partitions than it has finished
        awaitLog(logB, b, l -> count(l, "copy-range:[^ ]+ \\(step") > count(l, "copy-range:[^ ]+ (COMPLETED|FAILED)")
                && count(l, "copy-range:[^ ]+ \\(step") >= 1);
        b.destroyForcibly();
        assertThat(b.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(manager.waitFor(180, TimeUnit.SECONDS)).as("the manager ends after the timeout").isTrue();
        String first = Files.readString(managerLog);
        assertThat(manager.exitValue()).as(first).isEqualTo(1);
        assertThat(first).contains("silent for").contains("partition FAILED").contains("runs on worker");
        assertThat(workersIn(Files.readString(logA))).hasSize(1);
        assertThat(workersIn(Files.readString(logB))).hasSize(1);
        assertThat(leaseWorkers(m)).as("both workers ran partitions").hasSize(2);
        List<String> failed = partitions(m, "FAILED");
        assertThat(failed).as("the killed worker's partitions failed").isNotEmpty();
        assertThat(leasedBy(m, workersIn(Files.readString(logB)).get(0))).as("and only those").containsAll(failed);

        // run again: worker a (still running) takes the failed partitions, and nothing else runs again
        assertThat(m.run("copy")).as(m.output()).isZero();
        assertThat(m.output()).contains("COMPLETED (resumed)");
        assertThat(partitionsOfLastExecution(m)).containsExactlyInAnyOrderElementsOf(failed);

        try (Connection s = m.source(); Connection t = m.target()) {
            for (String table : TABLES) {
                String key = table.equals("events") ? "tenant, seq" : "id";
                List<String> expected = TableContents.postgres(s, table, key);
                assertThat(TableContents.postgres(t, table, key)).as(table).hasSameSizeAs(expected).isEqualTo(expected);
            }
        }
    }

    @Test
    void missingOrUnreachableBrokerAndUnshareableRepositoryAreClearErrors() throws Exception {
        EmbeddedServer server = TestDatabases.postgres();
        MigrationFixture m = new MigrationFixture(server, dir, "nobroker");
        String h2 = m.repositoryUrl();
        m.repository(TestServer.of(server).newDatabase("nobroker_repo") + "?user=" + server.user() + "&password="
                + server.password());
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE t (id int PRIMARY KEY)");
        }
        assertThat(m.run("copy", "--workers", "remote", "--broker", "amqp://guest:s3cretpw@127.0.0.1:1")).isEqualTo(2);
        assertThat(m.output()).contains("amqp://guest:****@127.0.0.1:1: cannot connect").doesNotContain("s3cretpw")
                .doesNotContain("\tat ");
        assertThat(m.run("worker", "--broker", "amqp://guest:s3cretpw@127.0.0.1:1")).isEqualTo(2);
        assertThat(m.output()).contains("cannot connect").doesNotContain("s3cretpw");
        assertThat(m.run("copy", "--workers", "remote")).isEqualTo(2);
        assertThat(m.output()).contains("remote workers need a message broker");
        assertThat(m.runArgs("copy", "--plan", m.plan().toString(), "--workers", "remote", "--broker", RabbitMq.URI))
                .isEqualTo(2);
        assertThat(m.output()).contains("pass the same --repository");
        assertThat(m.runArgs("copy", "--plan", m.plan().toString(), "--repository", h2, "--workers", "remote",
                "--broker", RabbitMq.URI)).isEqualTo(2);
        assertThat(m.output()).contains("H2 cannot be the repository of remote workers");
    }

    private Process start(MigrationFixture m, String command, Path log) throws IOException {
        Process p = m.start(command, "-Xmx256m", log);
        processes.add(p);
        return p;
    }

    private static void awaitLog(Path log, Process p, Predicate<String> condition) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            String text = Files.exists(log) ? Files.readString(log) : "";
            if (condition.test(text)) {
                return;
            }
            if (!p.isAlive()) {
                throw new AssertionError("process ended (exit " + p.exitValue() + ") before the expected output:\n" + text);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("timed out waiting for " + log + ":\n" + Files.readString(log));
    }

    private static int count(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static List<String> workersIn(String log) {
        return RUNNING.matcher(log).results().map(r -> r.group(1)).distinct().toList();
    }

    /** From the leases, not the log: a worker killed right after claiming a partition never logged it. */
    private static List<String> leasedBy(MigrationFixture m, String worker) throws SQLException {
        return query(m, "SELECT STEP_NAME FROM LIVEMIGRATE_PARTITION_LEASE WHERE WORKER = '" + worker + "'");
    }

    private static List<String> leaseWorkers(MigrationFixture m) throws SQLException {
        return query(m, "SELECT DISTINCT WORKER FROM LIVEMIGRATE_PARTITION_LEASE");
    }

    private static List<String> partitions(MigrationFixture m, String status) throws SQLException {
        return query(m, "SELECT STEP_NAME FROM BATCH_STEP_EXECUTION WHERE STEP_NAME LIKE 'copy-range:%' AND STATUS = '"
                + status + "'");
    }

    private static List<String> partitionsOfLastExecution(MigrationFixture m) throws SQLException {
        return query(m, "SELECT STEP_NAME FROM BATCH_STEP_EXECUTION WHERE STEP_NAME LIKE 'copy-range:%' AND "
                + "JOB_EXECUTION_ID = (SELECT MAX(JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION)");
    }

    private static List<String> query(MigrationFixture m, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(m.repositoryUrl());
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }
}
