package io.livemigrate.cutover;

import io.livemigrate.demo.EmbeddedServer;
import io.livemigrate.testing.CatchupLag;
import io.livemigrate.testing.ChildJava;
import io.livemigrate.testing.ExternalProcess;
import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.PgBouncerProcess;
import io.livemigrate.testing.TableContents;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * PostgreSQL cutover behind a real PgBouncer (proxy-pause + pgbouncer switch) with pgbench writing through it at a
 * fixed rate the whole time: every transaction pgbench reports committed is on the target, none failed.
 */
class PostgresCutoverTest {

    @TempDir
    Path dir;

    /**
     * Cutover, then revert over the reverse stream, each under pgbench through PgBouncer; then cutover again. Every
     * transaction pgbench reports committed is on the side traffic ends on, and none failed.
     */
    @Test
    void cutoverAndRevertUnderPgbenchLoadLoseNothingAndFailNothing() throws Exception {
        ExternalProcess.requireBinary(PgBouncerProcess.BINARY);
        ExternalProcess.requireBinary("/usr/bin/pgbench");
        EmbeddedServer pg = TestDatabases.postgres();
        MigrationFixture m = new MigrationFixture(pg, dir, "cut");
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE log (id bigserial PRIMARY KEY, client int NOT NULL, at timestamptz DEFAULT now())",
                    "INSERT INTO log (client) SELECT 0 FROM generate_series(1, 1000)");
        }
        URI src = URI.create(m.sourceUrl().substring(5));
        try (PgBouncerProcess bouncer = PgBouncerProcess.start(dir.resolve("pgbouncer"), m.sourceDatabase(),
                src.getPort(), userOf(m))) {
            appendCutover(m, "fence: proxy-pause\n  switch: pgbouncer\n  max-pause: 5s\n  max-lag: 2s\n"
                    + "  pgbouncer: { admin: \"127.0.0.1:" + bouncer.port() + "\", admin-user: "
                    + PgBouncerProcess.ADMIN_USER + ", config-file: \"" + bouncer.configFile() + "\", database: "
                    + m.sourceDatabase() + " }\n");
            assertThat(m.run("copy")).as(m.output()).isZero();
            Process forward = startChild(m, "catchup");
            awaitCaughtUp(m, forward);
            long committed = 1000 + switchUnderLoad(m, bouncer, "pgb-cutover", "cutover", "--skip-verify");
            stopChild(forward);
            try (Connection t = m.target()) {
                assertThat(TableContents.count(t, "log")).isEqualTo(committed);
            }

            Process reverse = startChild(m, "catchup", "--reverse");
            CatchupLag.awaitUnder(m, m.planName() + "-reverse", 1.0, reverse, () -> touch(m.target()));
            committed += switchUnderLoad(m, bouncer, "pgb-revert", "revert");
            stopChild(reverse);
            try (Connection s = m.source()) {
                assertThat(TableContents.count(s, "log")).isEqualTo(committed);
            }

            // the way forward again: the forward stream resumes where the revert registered it
            Process again = startChild(m, "catchup");
            awaitCaughtUp(m, again);
            try (Connection c = java.sql.DriverManager.getConnection(bouncer.jdbcUrl(), userOf(m), "")) {
                execute(c, "INSERT INTO log (client) VALUES (-1)");
            }
            assertThat(m.run("cutover", "--skip-verify")).as(m.output() + log(m, "catchup")).isZero();
            stopChild(again);
            try (Connection s = m.source(); Connection t = m.target()) {
                assertThat(TableContents.count(t, "log")).isEqualTo(committed + 1);
                assertThat(TableContents.count(t, "log")).isEqualTo(TableContents.count(s, "log"));
            }
        }
    }

    /**
     * Runs pgbench through PgBouncer at a fixed rate for 14 s and {@code command} (cutover or revert) in its middle;
     * requires both to succeed with no failed transaction, prints the worst latency, and returns how many
     * transactions pgbench committed.
     */
    private long switchUnderLoad(MigrationFixture m, PgBouncerProcess bouncer, String logPrefix, String... command)
            throws Exception {
        Path script = dir.resolve("insert.sql");
        Files.writeString(script, "INSERT INTO log (client) VALUES (:client_id);\n");
        Path out = dir.resolve(logPrefix + "-output.txt");
        Process bench = new ProcessBuilder("/usr/bin/pgbench", "-n", "-h", "127.0.0.1", "-p",
                String.valueOf(bouncer.port()), "-U", userOf(m), "-f", script.toString(), "-c", "4", "-j", "2",
                "-R", "200", "-T", "14", "-M", "simple", "-P", "1", "-l", "--log-prefix", dir.resolve(logPrefix).toString(),
                m.sourceDatabase()).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        awaitProgress(out, bench);
        int exit = m.run(command[0], java.util.Arrays.copyOfRange(command, 1, command.length));
        String output = m.output();
        assertThat(bench.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String benchOut = Files.readString(out);
        assertThat(exit).as(output + log(m, "catchup")).isZero();
        assertThat(bench.exitValue()).as(benchOut).isZero();
        assertThat(benchOut).doesNotContainPattern("number of failed transactions: [1-9]");
        long processed = number(benchOut, "number of transactions actually processed: (\\d+)");
        System.out.println(command[0] + " under pgbench through PgBouncer: " + processed + " transactions, worst latency "
                + worstLatencyMillis(dir, logPrefix) + " ms; " + output.lines().filter(l -> l.contains("held"))
                .findFirst().orElse(""));
        return processed;
    }

    /** pgbench prints a progress line a second once running: the switch then happens with load on. */
    private static void awaitProgress(Path out, Process bench) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline && bench.isAlive()) {
            if (Files.exists(out) && Files.readString(out).lines().filter(l -> l.startsWith("progress:")).count() >= 3) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("pgbench made no progress: " + Files.readString(out));
    }

    private static void touch(Connection c) throws SQLException {
        try (c) {
            execute(c, "UPDATE log SET client = client WHERE id = 1");
        }
    }

    private static void stopChild(Process child) throws InterruptedException {
        child.destroy();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void drainPastMaxPauseRollsBackAndTheSourceStaysPrimary() throws Exception {
        ExternalProcess.requireBinary(PgBouncerProcess.BINARY);
        EmbeddedServer pg = TestDatabases.postgres();
        MigrationFixture m = new MigrationFixture(pg, dir, "cutabort");
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE log (id bigserial PRIMARY KEY, client int NOT NULL)",
                    "INSERT INTO log (client) SELECT 0 FROM generate_series(1, 100)");
        }
        URI src = URI.create(m.sourceUrl().substring(5));
        try (PgBouncerProcess bouncer = PgBouncerProcess.start(dir.resolve("pgbouncer"), m.sourceDatabase(),
                src.getPort(), userOf(m))) {
            String before = Files.readString(bouncer.configFile());
            appendCutover(m, "fence: proxy-pause\n  switch: pgbouncer\n  max-pause: 1ms\n  max-lag: 2s\n"
                    + "  pgbouncer: { admin: \"127.0.0.1:" + bouncer.port() + "\", admin-user: "
                    + PgBouncerProcess.ADMIN_USER + ", config-file: \"" + bouncer.configFile() + "\", database: "
                    + m.sourceDatabase() + " }\n");
            assertThat(m.run("copy")).as(m.output()).isZero();
            Process catchup = startChild(m, "catchup");
            try {
                awaitCaughtUp(m, catchup);
                assertThat(m.run("cutover", "--skip-verify")).as(m.output()).isEqualTo(1);
                assertThat(m.output()).contains("max-pause").contains("rolled back");
                assertThat(Files.readString(bouncer.configFile())).isEqualTo(before);
                // PgBouncer was resumed: a client goes through to the source and writes
                try (Connection c = java.sql.DriverManager.getConnection(bouncer.jdbcUrl(), userOf(m), "")) {
                    execute(c, "INSERT INTO log (client) VALUES (7)");
                }
                try (Connection s = m.source()) {
                    assertThat(TableContents.count(s, "log")).isEqualTo(101);
                }
                // the reverse stream's slot, made before the fence, went with the rollback: no WAL kept for nothing
                try (Connection t = m.target(); var st = t.createStatement(); var rs = st.executeQuery(
                        "SELECT count(*) FROM pg_replication_slots WHERE database = current_database()")) {
                    rs.next();
                    assertThat(rs.getLong(1)).isZero();
                }
                assertThat(m.output()).contains("reverse change capture created by this run removed");
            }
            finally {
                catchup.destroy();
                catchup.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    static void appendCutover(MigrationFixture m, String body) throws Exception {
        Files.writeString(m.plan(), "cutover:\n  " + body, StandardOpenOption.APPEND);
    }

    static String userOf(MigrationFixture m) throws SQLException {
        try (Connection s = m.source()) {
            return s.getMetaData().getUserName();
        }
    }

    static Process startChild(MigrationFixture m, String command, String... extra) throws Exception {
        List<String> cmd = ChildJava.command("-Xmx256m", command, "--plan", m.plan().toString(), "--repository",
                m.repositoryUrl());
        cmd.addAll(List.of(extra));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(m.dir().resolve(command + String.join("", extra) + "-child.log").toFile()).start();
    }

    /** Catch-up reports a lag under a second in the repository, as the cutover's preconditions need. */
    static void awaitCaughtUp(MigrationFixture m, Process child) throws Exception {
        CatchupLag.awaitUnder(m, m.planName(), 1.0, child, () -> touch(m.source()));
    }

    static String log(MigrationFixture m, String command) throws java.io.IOException {
        Path p = m.dir().resolve(command + "-child.log");
        return Files.exists(p) ? Files.readString(p) : "(no log)";
    }

    private static long number(String text, String regex) {
        Matcher matcher = Pattern.compile(regex).matcher(text);
        assertThat(matcher.find()).as(text).isTrue();
        return Long.parseLong(matcher.group(1));
    }

    /** pgbench -l lines: client, transaction, latency in microseconds, ... */
    static long worstLatencyMillis(Path dir, String logPrefix) throws java.io.IOException {
        long worst = 0;
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith(logPrefix + ".")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    String[] parts = line.split(" ");
                    if (parts.length > 2) {
                        worst = Math.max(worst, Long.parseLong(parts[2]) / 1000);
                    }
                }
            }
        }
        return worst;
    }
}
