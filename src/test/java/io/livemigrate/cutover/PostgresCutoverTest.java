package io.livemigrate.cutover;

import io.livemigrate.cli.Main;
import io.livemigrate.demo.EmbeddedServer;
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
import java.util.ArrayList;
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

    @Test
    void cutoverUnderPgbenchLoadLosesNothingAndFailsNothing() throws Exception {
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
            Process catchup = startChild(m, "catchup");
            awaitCaughtUp(m, catchup);
            Path script = dir.resolve("insert.sql");
            Files.writeString(script, "INSERT INTO log (client) VALUES (:client_id);\n");
            Process bench = new ProcessBuilder("/usr/bin/pgbench", "-n", "-h", "127.0.0.1", "-p",
                    String.valueOf(bouncer.port()), "-U", userOf(m), "-f", script.toString(), "-c", "4", "-j", "2",
                    "-R", "200", "-T", "14", "-M", "simple", "-P", "1", "-l", "--log-prefix", dir.resolve("pgb").toString(),
                    m.sourceDatabase()).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("pgbench.out").toFile()).start();
            Thread.sleep(5000);
            int cutover = m.run("cutover", "--skip-verify");
            String cutoverOutput = m.output();
            assertThat(bench.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String benchOut = Files.readString(dir.resolve("pgbench.out"));
            catchup.destroy();
            assertThat(cutover).as(cutoverOutput + log(m, "catchup")).isZero();
            assertThat(bench.exitValue()).as(benchOut).isZero();
            long processed = number(benchOut, "number of transactions actually processed: (\\d+)");
            assertThat(benchOut).doesNotContainPattern("number of failed transactions: [1-9]");
            try (Connection t = m.target()) {
                assertThat(TableContents.count(t, "log")).as(benchOut).isEqualTo(1000 + processed);
            }
            System.out.println("pgbench through PgBouncer: " + processed + " transactions, worst latency "
                    + worstLatencyMillis(dir) + " ms; " + cutoverOutput.lines().filter(l -> l.contains("held")).findFirst().orElse(""));
        }
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
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), Main.class.getName(), command,
                "--plan", m.plan().toString(), "--repository", m.repositoryUrl()));
        cmd.addAll(List.of(extra));
        return new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(m.dir().resolve(command + String.join("", extra) + "-child.log").toFile()).start();
    }

    /** The state row appears once catch-up has committed a change; then a little longer so its reported lag settles. */
    static void awaitCaughtUp(MigrationFixture m, Process child) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && child.isAlive()) {
            try (Connection s = m.source()) {
                execute(s, "UPDATE log SET client = client WHERE id = 1"); // a change, so catch-up commits a position
            }
            try (Connection t = m.target()) {
                if (TableContents.count(t, "livemigrate.catchup_state") > 0) {
                    Thread.sleep(3000);
                    return;
                }
            }
            catch (SQLException notYet) {
                // created when catch-up starts
            }
            Thread.sleep(200);
        }
        throw new AssertionError("catch-up did not start: " + log(m, "catchup"));
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
    static long worstLatencyMillis(Path dir) throws java.io.IOException {
        long worst = 0;
        try (var files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("pgb.")).toList()) {
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
