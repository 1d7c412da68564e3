package io.livemigrate.testing;

import io.livemigrate.cli.Main;
import io.livemigrate.demo.EmbeddedServer;
import io.livemigrate.repository.MigrationHistory;
import io.livemigrate.repository.RepositoryLocation;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One migration between two fresh databases of an embedded server: writes the plan, runs livemigrate commands
 * in-process (or in a child JVM, for crash tests) against a job repository of its own, and captures the output.
 */
public final class MigrationFixture {

    private final TestServer server;
    private final TestServer targetServer;
    private final String sourceUrl;
    private final String targetUrl;
    private final Path dir;
    private final String include;
    private String copyOptions = "{ threads: 2, chunk-rows: 1000, partition-rows: 5000 }";
    private int applyThreads = 1;
    private String lastOutput = "";
    private String repositoryUrl;

    public MigrationFixture(EmbeddedServer server, Path dir, String prefix) {
        this(TestServer.of(server), dir, prefix);
    }

    public MigrationFixture(TestServer server, Path dir, String prefix) {
        this(server, server, dir, server.newDatabase(prefix + "_src"), server.newDatabase(prefix + "_tgt"));
    }

    private MigrationFixture(TestServer server, TestServer targetServer, Path dir, String sourceUrl, String targetUrl) {
        this.server = server;
        this.targetServer = targetServer;
        this.dir = dir;
        this.sourceUrl = sourceUrl;
        this.targetUrl = targetUrl;
        String sourceDb = EmbeddedServer.databaseOf(sourceUrl);
        this.include = server.isMySql() ? sourceDb + ".*" : "public.*";
    }

    /**
     * A migration between two servers, into a database of the same name: what a proxy in front of both needs, since
     * the application's connection names the database.
     */
    public static MigrationFixture acrossServers(EmbeddedServer source, EmbeddedServer target, Path dir, String prefix) {
        String sourceUrl = source.newDatabase(prefix);
        return new MigrationFixture(TestServer.of(source), TestServer.of(target), dir, sourceUrl,
                target.createDatabase(EmbeddedServer.databaseOf(sourceUrl)));
    }

    public MigrationFixture copyOptions(String yamlFlowMapping) {
        this.copyOptions = yamlFlowMapping;
        return this;
    }

    /** The plan's {@code catchup.apply-threads}: how many target connections catch-up applies through. */
    public MigrationFixture applyThreads(int threads) {
        this.applyThreads = threads;
        return this;
    }

    public Connection source() throws SQLException {
        return server.connect(EmbeddedServer.databaseOf(sourceUrl));
    }

    public Connection target() throws SQLException {
        return targetServer.connect(EmbeddedServer.databaseOf(targetUrl));
    }

    public String sourceUrl() {
        return sourceUrl;
    }

    public String targetUrl() {
        return targetUrl;
    }

    public String sourceDatabase() {
        return EmbeddedServer.databaseOf(sourceUrl);
    }

    public String targetDatabase() {
        return EmbeddedServer.databaseOf(targetUrl);
    }

    public Path dir() {
        return dir;
    }

    /** The plan file, written on first use; {@code name} identifies the migration in the repository. */
    public Path plan() throws IOException {
        Path plan = dir.resolve("plan.yml");
        if (!Files.exists(plan)) {
            writePlan(plan, sourceUrl, targetUrl);
        }
        return plan;
    }

    /** The plan's name (from the test directory's name): what identifies its jobs in the repository. */
    public String planName() {
        return dir.getFileName().toString().replaceAll("[^A-Za-z0-9_-]", "");
    }

    /** Appends to the plan file, e.g. a {@code cutover:} section that names a proxy the test started. */
    public void appendToPlan(String yaml) throws IOException {
        Files.writeString(plan(), yaml, java.nio.file.StandardOpenOption.APPEND);
    }

    /** The steps of this plan's latest execution of {@code job}, as the job repository recorded them. */
    public List<MigrationHistory.StepRun> lastSteps(String job) throws SQLException {
        try (MigrationHistory history = history()) {
            MigrationHistory.JobRun last = lastRun(history, job);
            return history.steps(last.executionId()).stream()
                    .filter(s -> s.start() != null && !s.start().before(last.start())).toList();
        }
    }

    /** This plan's latest execution of {@code job}, as the job repository recorded it. */
    public MigrationHistory.JobRun lastRun(String job) throws SQLException {
        try (MigrationHistory history = history()) {
            return lastRun(history, job);
        }
    }

    private MigrationHistory history() throws SQLException {
        return MigrationHistory.open(RepositoryLocation.resolve(repositoryUrl(), Map.of(), dir))
                .orElseThrow(() -> new AssertionError("no job repository yet"));
    }

    private MigrationHistory.JobRun lastRun(MigrationHistory history, String job) throws SQLException {
        return history.executions(planName()).stream().filter(r -> r.jobName().equals(job)).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no " + job + " execution of " + planName()));
    }

    public void writePlan(Path plan, String source, String target) throws IOException {
        writePlan(plan, source, target, server.user(), server.password());
    }

    public void writePlan(Path plan, String source, String target, String user, String password) throws IOException {
        Files.writeString(plan, "name: " + planName() + "\n"
                + "source: { url: \"" + source + "\", user: " + user + ", password: \"" + password + "\" }\n"
                + "target: { url: \"" + target + "\", user: " + user + ", password: \"" + password + "\" }\n"
                + "tables: { include: [\"" + include + "\"] }\n"
                + "copy: " + copyOptions + "\n"
                + (applyThreads == 1 ? "" : "catchup: { apply-threads: " + applyThreads + " }\n"));
    }

    public String repositoryUrl() {
        return repositoryUrl != null ? repositoryUrl : "jdbc:h2:file:" + dir.resolve("repository") + ";AUTO_SERVER=TRUE;AUTO_RECONNECT=TRUE";
    }

    /** Uses this job repository instead of the H2 file, e.g. a PostgreSQL database shared by worker processes. */
    public MigrationFixture repository(String jdbcUrl) {
        this.repositoryUrl = jdbcUrl;
        return this;
    }

    public boolean repositoryExists() {
        return Files.exists(dir.resolve("repository.mv.db"));
    }

    /** Runs a command in this JVM with the fixture's plan and repository; returns the exit code. */
    public int run(String command, String... extra) throws IOException {
        List<String> args = new ArrayList<>(List.of(command, "--plan", plan().toString(), "--repository", repositoryUrl()));
        args.addAll(List.of(extra));
        return runArgs(args.toArray(String[]::new));
    }

    /** Runs arbitrary arguments in this JVM, capturing stdout and stderr into {@link #output()}. */
    public int runArgs(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream both = new PrintStream(new TeeStream(captured, out), true, StandardCharsets.UTF_8);
        System.setOut(both);
        System.setErr(both);
        try {
            return Main.execute(args);
        }
        finally {
            System.setOut(out);
            System.setErr(err);
            lastOutput = captured.toString(StandardCharsets.UTF_8);
        }
    }

    public String output() {
        return lastOutput;
    }

    /** Starts a command in a child JVM (same classpath), for tests that kill it with {@code kill -9}. */
    public Process start(String command) throws IOException {
        return start(command, "-Xmx256m");
    }

    /** Starts a command in a child JVM with the given maximum heap, e.g. {@code -Xmx48m}. */
    public Process start(String command, String heap) throws IOException {
        return start(command, heap, dir.resolve(command + "-child.log"));
    }

    /** Starts a command in a child JVM writing its output to {@code log}, e.g. one log per worker process. */
    public Process start(String command, String heap, Path log, String... extra) throws IOException {
        List<String> cmd = ChildJava.command(heap, command, "--plan", plan().toString(), "--repository", repositoryUrl());
        cmd.addAll(List.of(extra));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /**
     * Starts a command with extra arguments in a child JVM (512 MB heap), appending its output to
     * {@code <command>-child.log}, so a test can start, kill and restart it and read every run's output.
     */
    public Process startAppending(String command, String... extra) throws IOException {
        List<String> cmd = ChildJava.command("-Xmx512m", command, "--plan", plan().toString(), "--repository",
                repositoryUrl());
        cmd.addAll(List.of(extra));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(command + "-child.log").toFile()))
                .start();
    }

    /**
     * Waits until catch-up (running in {@code child}) has committed its state row for this plan on the target, i.e.
     * it is streaming and applying; fails with the child's log if it exits first or takes over 120 s.
     */
    public void awaitCatchupApplying(Process child) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
        String plan = planName();
        while (System.nanoTime() < deadline && child.isAlive()) {
            try (Connection t = target();
                 java.sql.PreparedStatement ps = t.prepareStatement(
                         "SELECT count(*) FROM livemigrate.catchup_state WHERE plan = ?")) {
                ps.setString(1, plan);
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getLong(1) > 0) {
                        return;
                    }
                }
            }
            catch (SQLException notYet) {
                // the state table is created when catch-up starts
            }
            Thread.sleep(100);
        }
        throw new AssertionError("catch-up did not start applying:\n" + childLog("catchup"));
    }

    /**
     * Waits until the catch-up running in {@code child} has reported (in the job repository, where the cutover's
     * preconditions read it) a lag of at most {@code maxSeconds}; fails with the child's log after 120 s.
     */
    public void awaitCatchupLagAtMost(Process child, double maxSeconds) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
        RepositoryLocation location = RepositoryLocation.resolve(repositoryUrl(), Map.of(), dir);
        while (System.nanoTime() < deadline && child.isAlive()) {
            var history = MigrationHistory.open(location);
            if (history.isPresent()) {
                try (MigrationHistory h = history.get()) {
                    var catchup = io.livemigrate.repository.MigrationStatus.read(h, planName()).catchup();
                    if (catchup != null && catchup.lagSeconds() != null && catchup.lagSeconds() >= 0
                            && catchup.lagSeconds() <= maxSeconds) {
                        return;
                    }
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("catch-up did not report a lag of at most " + maxSeconds + " s:\n" + childLog("catchup"));
    }

    /** What the child JVMs of {@code command} printed so far. */
    public String childLog(String command) throws IOException {
        Path p = dir.resolve(command + "-child.log");
        return Files.exists(p) ? Files.readString(p) : "(no log)";
    }

    /** Prints to two streams: the test's capture and the real console (surefire's report). */
    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public void write(byte[] buf, int off, int len) throws IOException {
            a.write(buf, off, len);
            b.write(buf, off, len);
        }
    }
}
