package io.livemigrate.rehearse;

import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TestDatabases;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import static io.livemigrate.testing.TableContents.execute;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * How a rehearsal runs: killed half way (kill -9 of its JVM) it resumes and counts every statement once; {@code
 * --follow} (with catch-up running) replays lines the server appends after the start and ends promptly on {@code stop
 * --job rehearse}, even with a statement held by a paused throttle, then reports; SIGTERM ends a follow the same way
 * in-process; an index dropped on the target is a regression reported with both plans; the cutover's gate.
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

    /**
     * The follow, with catch-up running so results are compared: statements the application runs after the start are
     * replayed and recorded; one held by a paused throttle when 'stop --job rehearse' comes does not hold up the stop
     * (it is counted as not replayed); the followed execution ends STOPPED and the rehearsal completes with a report
     * run that reads no log.
     */
    @Test
    void followReplaysWhatTheServerAppendsUntilStoppedThenReports() throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.mariadb(), dir, "rehearse_follow");
        createItems(m);
        Process catchup = m.start("catchup");
        RehearsalWorkload app = null;
        Process child = null;
        try {
            m.awaitCatchupApplying(catchup);
            app = RehearsalWorkload.start(m, false, false);
            try (Connection c = app.session(); Statement st = c.createStatement()) {
                for (int i = 1; i <= 5; i++) {
                    st.executeQuery("SELECT name FROM items WHERE id = " + i).close();
                }
                app.flush(c, "first part");
            }
            child = m.start("rehearse", "-Xmx256m", dir.resolve("rehearse-child.log"), "--log", app.log().toString(),
                    "--follow", "--sessions", "2", "--min-gap", "60s"); // lines, not timing: no regression by noise
            awaitExecutions(m, child, "select name from items where id = ?", 5);
            assertThat(m.run("rehearse", "--log", app.log().toString())).as(m.output()).isNotZero();
            assertThat(m.output()).as("a second rehearse while this one runs").contains("already running");

            // appended after the start
            try (Connection c = app.session(); Statement st = c.createStatement()) {
                for (int i = 0; i < 3; i++) {
                    st.executeQuery("SELECT count(*) FROM items WHERE tag = 't" + i + "'").close();
                }
                app.flush(c, "second part");
            }
            awaitExecutions(m, child, "select count(*) from items where tag = ?", 3);
            awaitExecutions(m, child, "select ?", 2); // the two parts' markers: nothing else is under way

            // a statement held by a paused throttle, then the stop
            assertThat(m.run("throttle", "--pause")).as(m.output()).isZero();
            Process rehearse = child;
            await("the rehearsal seeing the pause").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
                    .until(() -> m.childLog("rehearse").contains("is now unlimited, paused") || !rehearse.isAlive());
            try (Connection c = app.session(); Statement st = c.createStatement()) {
                st.executeQuery("SELECT tag FROM items WHERE id = 1").close();
                app.flush(c, "third part");
            }
            await("the rehearsal waiting for the paused throttle").atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> m.childLog("rehearse").contains("waits: the throttle holds it") || !rehearse.isAlive());
            assertThat(m.run("stop", "--job", "rehearse")).as(m.output()).isZero();
            assertThat(m.output()).contains("is STOPPED");
            java.util.regex.Matcher stopped = java.util.regex.Pattern.compile("requested for execution (\\d+)")
                    .matcher(m.output());
            assertThat(stopped.find()).as(m.output()).isTrue();
            try (Connection repo = RehearseTest.repository(m); Statement st = repo.createStatement();
                 ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM BATCH_STEP_EXECUTION WHERE JOB_EXECUTION_ID = "
                         + stopped.group(1) + " AND STATUS IN ('STARTING', 'STARTED', 'STOPPING')")) {
                rs.next();
                assertThat(rs.getLong(1)).as("stop returns once the execution's steps have ended").isZero();
            }
            awaitExit(m, child);
            assertThat(child.exitValue()).as(m.childLog("rehearse")).isZero();
            assertThat(m.childLog("rehearse")).contains("following").contains("stopped following")
                    .contains("select count(*) from items where tag = ?")
                    .contains("rehearse: 1 not replayed: the rehearsal was stopped before its replay finished"
                            + " (e.g. SELECT tag FROM items WHERE id = 1)")
                    .contains("CLEAN").doesNotContain("(resumed)")
                    .as("the server's header lines are not statements").doesNotContain("does not parse");
            try (Connection repo = RehearseTest.repository(m); Statement st = repo.createStatement()) {
                try (ResultSet rs = st.executeQuery("SELECT e.STATUS FROM BATCH_JOB_EXECUTION e JOIN BATCH_JOB_INSTANCE i"
                        + " ON i.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID WHERE i.JOB_NAME = 'rehearse'"
                        + " ORDER BY e.JOB_EXECUTION_ID")) {
                    java.util.List<String> statuses = new java.util.ArrayList<>();
                    while (rs.next()) {
                        statuses.add(rs.getString(1));
                    }
                    assertThat(statuses).as("the followed execution, then its report").containsExactly("STOPPED",
                            "COMPLETED");
                }
                try (ResultSet rs = st.executeQuery("SELECT FINGERPRINT, EXECUTIONS, COMPARED, RESULT_DIFFS"
                        + " FROM LIVEMIGRATE_REHEARSAL WHERE FINGERPRINT LIKE '%from items%' ORDER BY FINGERPRINT")) {
                    java.util.List<String> rows = new java.util.ArrayList<>();
                    while (rs.next()) {
                        rows.add(rs.getString(1) + " " + rs.getLong(2) + "/" + rs.getLong(3) + "/" + rs.getLong(4));
                    }
                    assertThat(rows).containsExactly("select count(*) from items where tag = ? 3/3/0",
                            "select name from items where id = ? 5/5/0");
                }
                try (ResultSet rs = st.executeQuery("SELECT CLEAN, CATCHUP_RUNNING FROM LIVEMIGRATE_REHEARSAL_RUN")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).isEqualTo(1);
                    assertThat(rs.getInt(2)).isEqualTo(1);
                    assertThat(rs.next()).as("one report").isFalse();
                }
            }
        }
        finally {
            if (app != null) {
                app.stop();
            }
            if (child != null) {
                child.destroyForcibly().waitFor();
            }
            catchup.destroy();
            catchup.waitFor();
        }
    }

    /** SIGTERM (Ctrl-C alike) ends a follow in its own process: the same execution goes on to its report. */
    @Test
    void sigtermEndsAFollowWhichThenReports() throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.mariadb(), dir, "rehearse_sigterm");
        createItems(m);
        RehearsalWorkload app = RehearsalWorkload.start(m, false, false);
        Process child = null;
        try {
            child = m.start("rehearse", "-Xmx256m", dir.resolve("rehearse-child.log"), "--log", app.log().toString(),
                    "--follow", "--sessions", "1");
            try (Connection c = app.session(); Statement st = c.createStatement()) {
                for (int i = 1; i <= 3; i++) {
                    st.executeQuery("SELECT name FROM items WHERE id = " + i).close();
                }
                app.flush(c, "the only part");
            }
            awaitExecutions(m, child, "select name from items where id = ?", 3);
            child.destroy();
            awaitExit(m, child);
            assertThat(child.exitValue()).as(m.childLog("rehearse")).isZero();
            assertThat(m.childLog("rehearse")).contains("SIGTERM received")
                    .contains("NO DIFFERENCES (results not compared)").doesNotContain("stopped following");
            try (Connection repo = RehearseTest.repository(m); Statement st = repo.createStatement();
                 ResultSet rs = st.executeQuery("SELECT e.STATUS FROM BATCH_JOB_EXECUTION e JOIN BATCH_JOB_INSTANCE i"
                         + " ON i.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID WHERE i.JOB_NAME = 'rehearse'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("COMPLETED");
                assertThat(rs.next()).as("one execution").isFalse();
            }
        }
        finally {
            app.stop();
            if (child != null) {
                child.destroyForcibly().waitFor();
            }
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
        assertThat(m.run("status")).as(m.output()).isZero();
        assertThat(m.output()).containsPattern("last rehearsal: NOT COMPARED at \\S+ \\(execution \\d+\\): 2 replayed,"
                + " 0 compared, 0 result difference\\(s\\)");
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
        try {
            await("the rehearsal recording " + n + " executions of " + fingerprint).atMost(Duration.ofMinutes(3))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> !child.isAlive() || executions(m, fingerprint) >= n);
        }
        catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + ":\n" + diagnostics(m, child), e);
        }
        if (executions(m, fingerprint) < n) {
            throw new AssertionError("the rehearsal ended before recording " + n + " executions of " + fingerprint
                    + ":\n" + diagnostics(m, child));
        }
    }

    /** Waits for the rehearse child to exit; if it does not, fails with its log and its threads. */
    private static void awaitExit(MigrationFixture m, Process child) throws Exception {
        try {
            await("the rehearse process exiting").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                    .until(() -> !child.isAlive());
        }
        catch (ConditionTimeoutException e) {
            throw new AssertionError("the rehearsal did not end after the stop:\n" + diagnostics(m, child), e);
        }
    }

    private static long executions(MigrationFixture m, String fingerprint) {
        try (Connection repo = RehearseTest.repository(m);
             PreparedStatement ps = repo.prepareStatement("SELECT COALESCE(SUM(EXECUTIONS), 0)"
                     + " FROM LIVEMIGRATE_REHEARSAL_PART WHERE FINGERPRINT = ?")) {
            ps.setString(1, fingerprint);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
        catch (Exception notYet) {
            return 0; // the tables are created when the child starts
        }
    }

    private static String diagnostics(MigrationFixture m, Process child) throws Exception {
        StringBuilder recorded = new StringBuilder();
        try (Connection repo = RehearseTest.repository(m); Statement st = repo.createStatement();
             ResultSet rs = st.executeQuery("SELECT FINGERPRINT, EXECUTIONS FROM LIVEMIGRATE_REHEARSAL_PART")) {
            while (rs.next()) {
                recorded.append(rs.getString(1)).append(": ").append(rs.getLong(2)).append('\n');
            }
        }
        catch (java.sql.SQLException none) {
            recorded.append("(no tables)");
        }
        try (Connection repo = RehearseTest.repository(m); Statement st = repo.createStatement();
             ResultSet rs = st.executeQuery("SELECT KIND, REASON, STATEMENTS FROM LIVEMIGRATE_REHEARSAL_SKIP")) {
            while (rs.next()) {
                recorded.append(rs.getString(1)).append(' ').append(rs.getString(2)).append(": ")
                        .append(rs.getLong(3)).append('\n');
            }
        }
        catch (java.sql.SQLException none) {
            // no table yet
        }
        try (Connection repo = RehearseTest.repository(m); Statement st = repo.createStatement();
             ResultSet rs = st.executeQuery("SELECT s.JOB_EXECUTION_ID, s.STEP_NAME, s.STATUS, c.SHORT_CONTEXT"
                     + " FROM BATCH_STEP_EXECUTION s JOIN BATCH_STEP_EXECUTION_CONTEXT c"
                     + " ON c.STEP_EXECUTION_ID = s.STEP_EXECUTION_ID ORDER BY s.STEP_EXECUTION_ID")) {
            while (rs.next()) {
                recorded.append(rs.getLong(1)).append(' ').append(rs.getString(2)).append(' ')
                        .append(rs.getString(3)).append(' ').append(rs.getString(4)).append('\n');
            }
        }
        catch (java.sql.SQLException none) {
            // no table yet
        }
        return m.childLog("rehearse") + "\nrecorded:\n" + recorded + "\n" + threads(child);
    }

    private static String threads(Process child) throws Exception {
        if (!child.isAlive()) {
            return "(exited)";
        }
        Process jstack = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jstack").toString(),
                String.valueOf(child.pid())).redirectErrorStream(true).start();
        return new String(jstack.getInputStream().readAllBytes());
    }
}
