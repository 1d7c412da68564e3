package io.livemigrate.scaleout;

import io.livemigrate.demo.EmbeddedServer;
import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TableContents;
import io.livemigrate.testing.TestDatabases;
import io.livemigrate.testing.TestServer;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import java.util.concurrent.TimeUnit;

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

    @TempDir
    Path dir;

    @AutoClose
    private ScaleOutFixture scaleOut;

    @Test
    void workerKilledMidPartitionFailsOnlyItsPartitionsAndARerunCompletesAnExactCopy() throws Exception {
        RabbitMq.assumeRunning();
        EmbeddedServer server = TestDatabases.postgres();
        scaleOut = new ScaleOutFixture(server, dir, "remote", "{ threads: 2, chunk-rows: 200, partition-rows: 25000 }");
        MigrationFixture m = scaleOut.migration();
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE orders (id bigint PRIMARY KEY, payload text, n numeric)",
                    "INSERT INTO orders SELECT g, md5(g::text) || repeat('x', g % 40), g / 7.0 FROM generate_series(1, 200000) g",
                    "CREATE TABLE customers (id int PRIMARY KEY, name text, born date)",
                    "INSERT INTO customers SELECT g, 'c' || g, date '1950-01-01' + g % 20000 FROM generate_series(1, 75000) g",
                    "CREATE TABLE events (tenant int, seq int, body jsonb, PRIMARY KEY (tenant, seq))",
                    "INSERT INTO events SELECT g % 13, g, jsonb_build_object('g', g) FROM generate_series(1, 75000) g",
                    "ANALYZE");
        }
        scaleOut.appendWorkersSection(true);
        ScaleOutFixture.Worker a = scaleOut.startWorker("a");
        ScaleOutFixture.Worker b = scaleOut.startWorker("b");

        Path managerLog = dir.resolve("manager.log");
        Process manager = scaleOut.start("copy", managerLog);
        long killed = scaleOut.awaitMidPartition(b, "copy-range:%", 1);
        ScaleOutFixture.kill(b.process());

        assertThat(manager.waitFor(180, TimeUnit.SECONDS)).as("the manager ends after the timeout").isTrue();
        String first = Files.readString(managerLog);
        assertThat(manager.exitValue()).as(first).isEqualTo(1);
        assertThat(first).contains("silent for").contains("partition FAILED").contains("runs on worker");
        assertThat(scaleOut.leaseWorkers()).as("both workers ran partitions").containsExactlyInAnyOrder(a.id(), b.id());
        assertThat(scaleOut.stepStatus(killed)).isEqualTo("FAILED");
        List<String> failed = scaleOut.partitions("copy-range", "FAILED");
        assertThat(failed).as("the killed worker's partitions failed").isNotEmpty();
        assertThat(scaleOut.leasedBy(b.id())).as("and only those").containsAll(failed);

        // run again: worker a (still running) takes the failed partitions, and nothing else runs again
        assertThat(m.run("copy")).as(m.output()).isZero();
        assertThat(m.output()).contains("COMPLETED (resumed)");
        assertThat(scaleOut.partitionsOfLastExecution("copy-range")).containsExactlyInAnyOrderElementsOf(failed);

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
}
