package io.livemigrate.scaleout;

import io.livemigrate.core.OwnerListener;
import io.livemigrate.demo.EmbeddedServer;
import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TestServer;
import org.springframework.batch.core.repository.dao.JacksonExecutionContextStringSerializer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The moving parts of a scale-out test: a {@link MigrationFixture} whose job repository is a PostgreSQL database on
 * the embedded server (remote mode refuses H2, see {@code ScaleOutContexts}), a queue of its own on the local
 * RabbitMQ, manager and worker child JVMs that each write a log, and SQL over the shared repository: who leased
 * which partition, which partitions ended how. {@link #close()} ends the processes, prints their logs (the story of
 * a failed run) and deletes the queue.
 */
final class ScaleOutFixture implements AutoCloseable {

    private static final Duration WAIT = Duration.ofSeconds(120);

    private final MigrationFixture migration;
    private final Path dir;
    private final String queue;
    private final List<Process> processes = new ArrayList<>();

    ScaleOutFixture(EmbeddedServer server, Path dir, String prefix, String copyOptions) {
        this.dir = dir;
        this.migration = new MigrationFixture(server, dir, prefix).copyOptions(copyOptions);
        migration.repository(TestServer.of(server).newDatabase(prefix + "_repo") + "?user=" + server.user()
                + "&password=" + server.password());
        this.queue = "livemigrate.test." + dir.getFileName().toString().replaceAll("[^A-Za-z0-9]", "");
    }

    MigrationFixture migration() {
        return migration;
    }

    /**
     * Appends the plan's {@code workers} section: this test's queue, a 500 ms heartbeat and a 4 s timeout, so a
     * killed worker's partitions fail within seconds.
     *
     * @param remoteByDefault whether commands use remote workers without {@code --workers remote}
     */
    void appendWorkersSection(boolean remoteByDefault) throws IOException {
        Files.writeString(migration.plan(), "workers: { " + (remoteByDefault ? "mode: remote, " : "") + "broker: \""
                + RabbitMq.URI + "\", queue: \"" + queue + "\", heartbeat: 500ms, timeout: 4s }\n",
                StandardOpenOption.APPEND);
    }

    /** A worker JVM and its log; its identity in leases and on the console is {@code host:pid}. */
    record Worker(Process process, Path log) {

        String id() {
            return OwnerListener.hostName() + ":" + process.pid();
        }

        String output() throws IOException {
            return Files.readString(log);
        }
    }

    /** Starts a worker JVM logging to {@code worker-<name>.log} and waits until it consumes the queue. */
    Worker startWorker(String name) throws Exception {
        Path log = dir.resolve("worker-" + name + ".log");
        Worker worker = new Worker(start("worker", log), log);
        awaitLog(worker.process(), log, "partition(s) at a time from queue");
        return worker;
    }

    /** Starts a command (e.g. the manager: {@code copy}) in a child JVM writing to {@code log}. */
    Process start(String command, Path log, String... extra) throws IOException {
        Process p = migration.start(command, "-Xmx256m", log, extra);
        processes.add(p);
        return p;
    }

    /** {@code kill -9}: {@link Process#destroyForcibly()} sends SIGKILL, so the worker gets no chance to clean up. */
    static void kill(Process p) throws InterruptedException {
        p.destroyForcibly();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            throw new AssertionError("process " + p.pid() + " did not end after SIGKILL");
        }
    }

    /**
     * Waits until worker {@code w} is inside a partition of {@code stepPattern} (a LIKE pattern such as
     * {@code copy-range:%}): the repository shows the partition STARTED, leased by that worker, with at least
     * {@code commits} chunks committed and more to come.
     *
     * @return the partition's step execution id
     */
    long awaitMidPartition(Worker w, String stepPattern, int commits) throws Exception {
        long[] found = new long[1];
        await("worker " + w.id() + " in the middle of a " + stepPattern + " partition", w.process(), w.log(), () -> {
            List<String> ids = query("SELECT S.STEP_EXECUTION_ID FROM BATCH_STEP_EXECUTION S "
                    + "JOIN LIVEMIGRATE_PARTITION_LEASE L ON L.STEP_EXECUTION_ID = S.STEP_EXECUTION_ID "
                    + "WHERE L.WORKER = ? AND S.STATUS = 'STARTED' AND S.STEP_NAME LIKE ? AND S.COMMIT_COUNT >= ?",
                    w.id(), stepPattern, commits);
            if (ids.isEmpty()) {
                return false;
            }
            found[0] = Long.parseLong(ids.get(0));
            return true;
        });
        return found[0];
    }

    static void awaitLog(Process p, Path log, String text) throws Exception {
        await("'" + text + "' in " + log.getFileName(), p, log,
                () -> Files.exists(log) && Files.readString(log).contains(text));
    }

    /** A condition to poll; may throw while what it reads is not there yet (e.g. a table created on first use). */
    @FunctionalInterface
    interface Condition {
        boolean holds() throws Exception;
    }

    /**
     * Polls {@code condition} until it holds; fails with {@code log} when {@code p} ends first or after two minutes.
     * A condition that throws counts as not yet holding (the repository's tables may not exist yet).
     */
    static void await(String what, Process p, Path log, Condition condition) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.holds()) {
                    return;
                }
            }
            catch (SQLException e) {
                last = e;
            }
            if (!p.isAlive()) {
                throw new AssertionError("process ended (exit " + p.exitValue() + ") before " + what + ":\n" + read(log));
            }
            Thread.sleep(20);
        }
        throw new AssertionError("timed out waiting for " + what + (last == null ? "" : " (last error: " + last + ")")
                + ":\n" + read(log));
    }

    private static String read(Path log) throws IOException {
        return Files.exists(log) ? Files.readString(log) : "(no log)";
    }

    /** The step names of partitions a worker leased, from the leases: a worker killed right after claiming never logs it. */
    List<String> leasedBy(String worker) throws SQLException {
        return query("SELECT STEP_NAME FROM LIVEMIGRATE_PARTITION_LEASE WHERE WORKER = ?", worker);
    }

    List<String> leaseWorkers() throws SQLException {
        return query("SELECT DISTINCT WORKER FROM LIVEMIGRATE_PARTITION_LEASE");
    }

    /** Names of the partitions of {@code workerStep} (e.g. {@code copy-range}) in {@code status}, all executions. */
    List<String> partitions(String workerStep, String status) throws SQLException {
        return query("SELECT STEP_NAME FROM BATCH_STEP_EXECUTION WHERE STEP_NAME LIKE ? AND STATUS = ?",
                workerStep + ":%", status);
    }

    /** Names of the partitions of {@code workerStep} that the latest job execution ran. */
    List<String> partitionsOfLastExecution(String workerStep) throws SQLException {
        return query("SELECT STEP_NAME FROM BATCH_STEP_EXECUTION WHERE STEP_NAME LIKE ? AND "
                + "JOB_EXECUTION_ID = (SELECT MAX(JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION)", workerStep + ":%");
    }

    String stepStatus(long stepExecutionId) throws SQLException {
        return query("SELECT STATUS FROM BATCH_STEP_EXECUTION WHERE STEP_EXECUTION_ID = ?", stepExecutionId).get(0);
    }

    String stepExitMessage(long stepExecutionId) throws SQLException {
        return query("SELECT EXIT_MESSAGE FROM BATCH_STEP_EXECUTION WHERE STEP_EXECUTION_ID = ?", stepExecutionId)
                .get(0);
    }

    /** A step execution's context as committed, read as the application stores it (JSON). */
    Map<String, Object> stepContext(long stepExecutionId) throws SQLException, IOException {
        String json = query("SELECT SHORT_CONTEXT FROM BATCH_STEP_EXECUTION_CONTEXT WHERE STEP_EXECUTION_ID = ?",
                stepExecutionId).get(0);
        return new JacksonExecutionContextStringSerializer()
                .deserialize(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }

    List<String> query(String sql, Object... args) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(migration.repositoryUrl());
             PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getString(1));
                }
            }
        }
        return rows;
    }

    @Override
    public void close() throws IOException {
        processes.forEach(Process::destroyForcibly);
        try (var logs = Files.list(dir)) {
            for (Path log : logs.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                System.out.println("==== " + log.getFileName() + "\n" + Files.readString(log));
            }
        }
        RabbitMq.deleteQueue(queue);
    }
}
