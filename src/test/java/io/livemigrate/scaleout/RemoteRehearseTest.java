package io.livemigrate.scaleout;

import io.livemigrate.demo.EmbeddedServer;
import io.livemigrate.rehearse.RehearsalWorkload;
import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code rehearse --workers remote} with the command as manager and two worker JVMs, catch-up running: the
 * partitions (session groups) run on both workers, which read the log at the same path and check it is the manager's;
 * a clean replay exits 0 with every comparable statement compared; a row changed on the target behind catch-up's back
 * is a result difference of the queries that read it, with the fingerprint and the row, exit 3; the report, on the
 * manager, counts what the workers replayed. {@code stop --job rehearse} ends the partitions on the workers, held by
 * a paused throttle, and the rehearsal resumes counting every statement once. {@code --follow} is refused on remote
 * workers with exit 2 and nothing written.
 */
class RemoteRehearseTest {

    private static final int APP_SESSIONS = 6;
    private static final int READS_PER_SESSION = 10;

    @TempDir
    Path dir;

    @AutoClose
    private ScaleOutFixture scaleOut;

    @Test
    void partitionsReplayOnBothWorkersAndTheManagerReportsCleanThenADifference() throws Exception {
        RabbitMq.assumeRunning();
        EmbeddedServer server = TestDatabases.postgres();
        scaleOut = new ScaleOutFixture(server, dir, "rrehearse", "{ threads: 2 }");
        MigrationFixture m = scaleOut.migration();
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE items (id int PRIMARY KEY, name varchar(100) NOT NULL, price numeric(10,2))",
                    "INSERT INTO items SELECT g, 'item ' || g, g + 0.5 FROM generate_series(1, 200) g");
        }
        assertThat(m.run("copy")).as(m.output()).isZero(); // locally: the plan's mode stays local
        scaleOut.appendWorkersSection(false);

        Process catchup = m.start("catchup");
        try {
            m.awaitCatchupApplying(catchup);
            RehearsalWorkload app = RehearsalWorkload.start(m, true, false);
            // several application sessions, so the log's sessions spread over the partitions
            List<Connection> sessions = new ArrayList<>();
            try {
                for (int i = 0; i < APP_SESSIONS; i++) {
                    sessions.add(app.session());
                }
                for (int round = 1; round <= READS_PER_SESSION; round++) {
                    for (int i = 0; i < APP_SESSIONS; i++) {
                        try (Statement st = sessions.get(i).createStatement()) {
                            st.executeQuery("SELECT name, price FROM items WHERE id = " + (i * READS_PER_SESSION
                                    + round)).close();
                        }
                    }
                }
                try (PreparedStatement ps = sessions.get(0).prepareStatement(
                        "SELECT id, name FROM items WHERE id BETWEEN ? AND ? ORDER BY id")) {
                    ps.setInt(1, 1);
                    ps.setInt(2, 20);
                    ps.executeQuery().close();
                }
                app.flush(sessions.get(0), "end of the remote workload");
            }
            finally {
                for (Connection c : sessions) {
                    c.close();
                }
                app.stop();
            }
            String log = app.log().toString();

            assertThat(m.run("rehearse", "--log", log, "--workers", "remote", "--follow")).as(m.output())
                    .isEqualTo(2);
            assertThat(m.output()).contains("--follow cannot run on remote workers");
            assertThat(scaleOut.query("SELECT COUNT(*) FROM BATCH_JOB_INSTANCE WHERE JOB_NAME = 'rehearse'"))
                    .as("bad input writes nothing").containsExactly("0");

            ScaleOutFixture.Worker a = scaleOut.startWorker("a");
            ScaleOutFixture.Worker b = scaleOut.startWorker("b");

            // results only: a regression is a timing, which a shared machine makes noisy
            assertThat(m.run("rehearse", "--log", log, "--workers", "remote", "--sessions", "4", "--min-gap", "60s"))
                    .as(m.output()).isZero();
            assertThat(m.output()).contains("on remote workers").contains("catch-up is running").contains("CLEAN")
                    .contains("partitions go to queue");
            assertThat(scaleOut.query("SELECT DISTINCT WORKER FROM LIVEMIGRATE_PARTITION_LEASE WHERE STEP_NAME LIKE "
                    + "'rehearse-replay:%'")).as("both workers replayed partitions")
                    .containsExactlyInAnyOrder(a.id(), b.id());
            assertThat(scaleOut.query("SELECT EXECUTIONS || '/' || COMPARED FROM LIVEMIGRATE_REHEARSAL "
                    + "WHERE FINGERPRINT = 'select name, price from items where id = ?'"))
                    .as("every read replayed on the workers and compared")
                    .containsExactly(APP_SESSIONS * READS_PER_SESSION + "/" + APP_SESSIONS * READS_PER_SESSION);
            assertThat(scaleOut.query("SELECT EXECUTIONS || '/' || COMPARED FROM LIVEMIGRATE_REHEARSAL "
                    + "WHERE FINGERPRINT = 'select id, name from items where id between ? and ? order by id'"))
                    .as("with its parameters").containsExactly("1/1");
            assertThat(replayedInThisRun(m.output())).as("the manager counts what the workers replayed")
                    .isEqualTo(replayed(m.output())).isGreaterThanOrEqualTo(APP_SESSIONS * READS_PER_SESSION + 1);

            try (Connection t = m.target()) {
                execute(t, "UPDATE items SET name = 'changed on target' WHERE id = 7");
            }
            assertThat(m.run("rehearse", "--log", log, "--workers", "remote", "--sessions", "4", "--min-gap", "60s"))
                    .as(m.output()).isEqualTo(3);
            assertThat(m.output()).contains("DIFFERENCES").contains("0 regression(s)")
                    .contains("fingerprint: select name, price from items where id = ?")
                    .contains("fingerprint: select id, name from items where id between ? and ? order by id")
                    .contains("'changed on target'").contains("'item 7'");
            assertThat(a.output()).contains("running rehearse-replay:sessions");
            assertThat(b.output()).contains("running rehearse-replay:sessions");
            long statements = number(m.output(), "DIFFERENCES: ([\\d,]+) statement\\(s\\)");

            // 'stop --job rehearse' reaches partitions on the workers, even held by a paused throttle; run again,
            // the rehearsal resumes after what they handed out and counts every statement once
            try (Connection t = m.target()) {
                execute(t, "UPDATE items SET name = 'item 7' WHERE id = 7");
            }
            assertThat(m.run("throttle", "--pause")).as(m.output()).isZero();
            Path managerLog = dir.resolve("manager.log");
            Process manager = scaleOut.start("rehearse", managerLog, "--log", log, "--workers", "remote",
                    "--sessions", "4", "--min-gap", "60s");
            ScaleOutFixture.await("a rehearse partition running on a worker", manager, managerLog,
                    () -> !scaleOut.query("SELECT S.STEP_EXECUTION_ID FROM BATCH_STEP_EXECUTION S JOIN "
                            + "LIVEMIGRATE_PARTITION_LEASE L ON L.STEP_EXECUTION_ID = S.STEP_EXECUTION_ID WHERE "
                            + "S.STATUS = 'STARTED' AND S.STEP_NAME LIKE 'rehearse-replay:%'").isEmpty());
            assertThat(m.run("stop", "--job", "rehearse")).as(m.output()).isZero();
            assertThat(manager.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).as("the manager ends").isTrue();
            assertThat(manager.exitValue()).as(java.nio.file.Files.readString(managerLog)).isEqualTo(1);
            assertThat(java.nio.file.Files.readString(managerLog)).contains("rehearse: stopped");
            assertThat(scaleOut.query("SELECT DISTINCT STATUS FROM BATCH_STEP_EXECUTION WHERE STEP_NAME LIKE "
                    + "'rehearse-replay:%' AND JOB_EXECUTION_ID = (SELECT MAX(JOB_EXECUTION_ID) FROM "
                    + "BATCH_JOB_EXECUTION)")).as("the workers' partitions stopped").contains("STOPPED")
                    .doesNotContain("STARTED", "STARTING", "FAILED");
            assertThat(m.run("throttle", "--resume")).as(m.output()).isZero();
            assertThat(m.run("rehearse", "--log", log, "--workers", "remote", "--sessions", "4", "--min-gap", "60s"))
                    .as(m.output()).isZero();
            // the statements a stop caught are counted as not replayed, never again
            assertThat(m.output()).contains("(resumed): " + String.format("%,d statement(s)", statements))
                    .contains("not replayed: the rehearsal was stopped before its replay finished");
        }
        finally {
            catchup.destroy();
            catchup.waitFor();
        }
    }

    private static long replayedInThisRun(String output) {
        return number(output, "([\\d,]+) replayed in this run");
    }

    private static long replayed(String output) {
        return number(output, "statement\\(s\\), ([\\d,]+) replayed,");
    }

    private static long number(String output, String regex) {
        Matcher n = Pattern.compile(regex).matcher(output);
        assertThat(n.find()).as(output).isTrue();
        return Long.parseLong(n.group(1).replace(",", ""));
    }
}
