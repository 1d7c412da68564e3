package io.livemigrate.scaleout;

import io.livemigrate.demo.EmbeddedServer;
import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TestDatabases;
import io.livemigrate.testing.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code verify --workers remote}: two worker JVMs verify the partitions of a copied migration; an equal target
 * verifies EQUAL (exit 0) with both workers having run partitions, and a changed row is found (exit 3).
 */
class RemoteVerifyTest {

    private static final Pattern RUNNING = Pattern.compile("worker (\\S+): running verify-range:");

    @TempDir
    Path dir;

    private final List<Process> workers = new ArrayList<>();
    private String queue;

    @AfterEach
    void stop() throws Exception {
        workers.forEach(Process::destroyForcibly);
        if (queue != null) {
            RabbitMq.deleteQueue(queue);
        }
        try (var logs = Files.list(dir)) {
            for (Path log : logs.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                System.out.println("==== " + log.getFileName() + "\n" + Files.readString(log));
            }
        }
    }

    @Test
    void twoWorkersVerifyAndFindADifference() throws Exception {
        RabbitMq.assumeRunning();
        EmbeddedServer server = TestDatabases.postgres();
        MigrationFixture m = new MigrationFixture(server, dir, "rverify")
                .copyOptions("{ threads: 2, chunk-rows: 500, partition-rows: 10000 }");
        m.repository(TestServer.of(server).newDatabase("rverify_repo") + "?user=" + server.user() + "&password="
                + server.password());
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE items (id bigint PRIMARY KEY, name text, price numeric)",
                    "INSERT INTO items SELECT g, 'item ' || g, g / 3.0 FROM generate_series(1, 100000) g",
                    "CREATE TABLE tags (item bigint, tag text, PRIMARY KEY (item, tag))",
                    "INSERT INTO tags SELECT g % 5000, 't' || g FROM generate_series(1, 40000) g",
                    "ANALYZE");
        }
        assertThat(m.run("copy")).as(m.output()).isZero(); // locally: the plan's mode is local until set below
        queue = "livemigrate.test." + dir.getFileName().toString().replaceAll("[^A-Za-z0-9]", "");
        Files.writeString(m.plan(), "workers: { broker: \"" + RabbitMq.URI + "\", queue: \"" + queue
                + "\", heartbeat: 500ms, timeout: 4s }\n", StandardOpenOption.APPEND);
        Path logA = dir.resolve("worker-a.log");
        Path logB = dir.resolve("worker-b.log");
        workers.add(m.start("worker", "-Xmx256m", logA));
        workers.add(m.start("worker", "-Xmx256m", logB));
        awaitReady(logA);
        awaitReady(logB);

        assertThat(m.run("verify", "--workers", "remote", "--chunk-rows", "500")).as(m.output()).isZero();
        assertThat(m.output()).contains("EQUAL").contains("runs on worker");
        assertThat(workersIn(logA) + workersIn(logB)).as("both workers verified partitions").isEqualTo(2);

        try (Connection t = m.target()) {
            execute(t, "UPDATE items SET name = 'changed' WHERE id = 4242");
        }
        assertThat(m.run("verify", "--workers", "remote")).as(m.output()).isEqualTo(3);
        assertThat(m.output()).contains("key 4242");
    }

    private static long workersIn(Path log) throws Exception {
        return RUNNING.matcher(Files.readString(log)).results().map(r -> r.group(1)).distinct().count();
    }

    private static void awaitReady(Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains("partition(s) at a time")) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("worker not ready:\n" + Files.readString(log));
    }
}
