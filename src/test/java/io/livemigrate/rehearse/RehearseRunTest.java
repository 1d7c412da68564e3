package io.livemigrate.rehearse;

import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a rehearsal runs, without catch-up (timing only, said so): killed half way (kill -9 of its JVM) it resumes and
 * counts every statement once; {@code --follow} picks up lines the server appends after the start and ends on
 * {@code stop --job rehearse}; an index dropped on the target is a regression reported with both plans.
 */
class RehearseRunTest {

    @TempDir
    Path dir;

    @Test
    void aReplayKilledHalfWayResumesAndCountsEveryStatementOnce() throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.postgres(), dir, "rehearse_kill");
        createItems(m);
        RehearsalWorkload app = RehearsalWorkload.start(m, true, false);
        try (Connection c = app.session(); Statement st = c.createStatement()) {
            for (int i = 1; i <= 200; i++) {
                st.executeQuery("SELECT name FROM items WHERE id = " + i).close();
            }
            app.flush(c, "end of the kill workload");
        }
        Process child = m.start("rehearse", "-Xmx256m", dir.resolve("rehearse-child.log"), "--log",
                app.log().toString(), "--sessions", "1", "--rate", "25/s");
        try {
            awaitExecutions(m, child, "select name from items where id = ?", 40);
        }
        finally {
            child.destroyForcibly().waitFor();
        }
        assertThat(m.run("rehearse", "--log", app.log().toString(), "--sessions", "1")).as(m.output()).isZero();
        assertThat(m.output()).contains("(resumed)").contains("catch-up is not running")
                .contains("NO DIFFERENCES (results not compared)");
        assertThat(m.output()).containsPattern("select name from items where id = \\?\\s+200\\s+0\\s");
        try (Connection repo = RehearseTest.repository(m); Statement st = repo.createStatement();
             ResultSet rs = st.executeQuery("SELECT SUM(EXECUTIONS) FROM LIVEMIGRATE_REHEARSAL")) {
            rs.next();
            assertThat(rs.getLong(1)).as("200 reads and the flush marker, each once").isEqualTo(201);
        }
    }

    @Test
    void anIndexDroppedOnTheTargetIsARegressionWithBothPlans() throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.postgres(), dir, "rehearse_index");
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE big (id int PRIMARY KEY, code int NOT NULL, pad text)",
                    "INSERT INTO big SELECT g, g * 7, repeat('x', 100) FROM generate_series(1, 300000) g",
                    "CREATE INDEX big_code ON big (code)", "ANALYZE big");
        }
        assertThat(m.run("copy")).as(m.output()).isZero();
        try (Connection t = m.target(); Statement st = t.createStatement();
             ResultSet rs = st.executeQuery("SELECT indexname FROM pg_indexes WHERE tablename = 'big'"
                     + " AND indexname <> 'big_pkey'")) {
            java.util.List<String> indexes = new java.util.ArrayList<>();
            while (rs.next()) {
                indexes.add(rs.getString(1));
            }
            assertThat(indexes).isNotEmpty();
            for (String index : indexes) {
                execute(t, "DROP INDEX \"" + index + "\"");
            }
            execute(t, "ANALYZE big");
        }
        RehearsalWorkload app = RehearsalWorkload.start(m, true, false);
        try (Connection c = app.session();
             PreparedStatement ps = c.prepareStatement("SELECT id, pad FROM big WHERE code = ?")) {
            for (int i = 1; i <= 20; i++) {
                ps.setInt(1, i * 7000);
                ps.executeQuery().close();
            }
            app.flush(c, "end of the index workload");
        }
        assertThat(m.run("rehearse", "--log", app.log().toString(), "--sessions", "1")).as(m.output())
                .isEqualTo(3);
        assertThat(m.output()).contains("REGRESSION").contains("fingerprint: select id, pad from big where code = ?");
        try (Connection repo = RehearseTest.repository(m); Statement st = repo.createStatement();
             ResultSet rs = st.executeQuery("SELECT SOURCE_PLAN, TARGET_PLAN, EXECUTIONS FROM LIVEMIGRATE_REHEARSAL"
                     + " WHERE REGRESSION = 1")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).contains("big_code");
            assertThat(rs.getString(2)).contains("Seq Scan on big").doesNotContain("big_code");
            assertThat(rs.getLong(3)).isEqualTo(20);
            assertThat(rs.next()).as("only the lookup by code regressed").isFalse();
        }
    }

    @Test
    void theCutoverRequiresACleanRehearsalWhenThePlanSaysSo() throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.postgres(), dir, "rehearse_gate");
        createItems(m);
        m.appendToPlan("cutover: { fence: read-only, switch: command, command: \"true\", app-roles: [app_rw],"
                + " require-rehearsal: true, rehearsal-max-age: 2h }\n");
        assertThat(m.run("cutover")).as(m.output()).isEqualTo(2);
        assertThat(m.output()).contains("requires a rehearsal (require-rehearsal) and none has run");
        RehearsalWorkload app = RehearsalWorkload.start(m, true, false);
        try (Connection c = app.session(); Statement st = c.createStatement()) {
            st.executeQuery("SELECT name FROM items WHERE id = 1").close();
            app.flush(c, "end of the gate workload");
        }
        assertThat(m.run("rehearse", "--log", app.log().toString())).as(m.output()).isZero();
        assertThat(m.run("cutover")).as(m.output()).isEqualTo(2);
        assertThat(m.output()).contains("the last rehearsal")
                .contains("was not clean (catch-up was not running, so no result was compared)")
                .doesNotContain("none has run");
    }

    private static void createItems(MigrationFixture m) throws Exception {
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE items (id int PRIMARY KEY, name varchar(100) NOT NULL, tag varchar(20))");
            try (PreparedStatement ps = s.prepareStatement("INSERT INTO items VALUES (?, ?, ?)")) {
                for (int i = 1; i <= 200; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "item " + i);
                    ps.setString(3, "t" + i % 3);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        assertThat(m.run("copy")).as(m.output()).isZero();
    }

    /** Waits until the running rehearsal has recorded at least {@code n} executions of {@code fingerprint}. */
    private static void awaitExecutions(MigrationFixture m, Process child, String fingerprint, long n)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        long seen = 0;
        while (System.nanoTime() < deadline && child.isAlive()) {
            try (Connection repo = RehearseTest.repository(m);
                 PreparedStatement ps = repo.prepareStatement("SELECT COALESCE(SUM(EXECUTIONS), 0)"
                         + " FROM LIVEMIGRATE_REHEARSAL_PART WHERE FINGERPRINT = ?")) {
                ps.setString(1, fingerprint);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    seen = rs.getLong(1);
                }
            }
            catch (java.sql.SQLException notYet) {
                // the repository is created when the child starts
            }
            if (seen >= n) {
                return;
            }
            Thread.sleep(200);
        }
        String threads = "";
        if (child.isAlive()) {
            Process jstack = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jstack").toString(),
                    String.valueOf(child.pid())).redirectErrorStream(true).start();
            threads = new String(jstack.getInputStream().readAllBytes());
        }
        StringBuilder recorded = new StringBuilder();
        try (Connection repo = RehearseTest.repository(m); Statement st = repo.createStatement();
             ResultSet rs = st.executeQuery("SELECT FINGERPRINT, EXECUTIONS FROM LIVEMIGRATE_REHEARSAL_PART")) {
            while (rs.next()) {
                recorded.append(rs.getString(1)).append(": ").append(rs.getLong(2)).append('\n');
            }
        }
        throw new AssertionError("the rehearsal recorded " + seen + " of " + n + " executions of " + fingerprint
                + ":\n" + m.childLog("rehearse") + "\nrecorded:\n" + recorded + "\n" + threads);
    }
}
