package io.livemigrate.catchup;

import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TableContents;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.BitSet;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Parallel catch-up killed while it applies, each time at a moment its connections have committed transactions past
 * the watermark (the process is frozen with SIGSTOP until the target shows that, then killed with SIGKILL): every
 * restart skips exactly those. The target logs every row version written by a trigger of its own, so a transaction
 * applied twice would show as a version written again; nothing is, and the target ends equal to the source.
 */
class ParallelCatchupRestartTest {

    @TempDir
    Path dir;

    @Test
    void killedWithTransactionsCommittedPastTheWatermarkTheRestartAppliesNothingTwiceAndMissesNothing()
            throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.postgres(), dir, "prestart")
                .copyOptions("{ threads: 2, chunk-rows: 200, partition-rows: 500 }").applyThreads(4);
        try (Connection s = m.source()) {
            execute(s, VersionWriters.DDL);
        }
        assertThat(m.run("copy")).as(m.output()).isZero();
        try (Connection t = m.target()) {
            VersionWriters.auditOnTarget(t);
        }
        int killedPastTheWatermark = 0;
        try (VersionWriters writers = new VersionWriters(m::source, 3, 20)) {
            for (int round = 0; round < 3; round++) {
                int streamed = streamingRuns(m);
                Process child = m.startAppending("catchup");
                await().atMost(Duration.ofSeconds(120)).until(() -> streamingRuns(m) > streamed || !child.isAlive());
                assertThat(child.isAlive()).as(m.childLog("catchup")).isTrue();
                writers.awaitMoreCommitted(300);
                killedPastTheWatermark += killWithTransactionsPastTheWatermark(m, child) ? 1 : 0;
            }
        }
        assertThat(killedPastTheWatermark).as("kills with transactions committed past the watermark").isPositive();
        assertThat(m.childLog("catchup")).contains("in parallel before it ended: they are skipped");
        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
        try (Connection s = m.source(); Connection t = m.target()) {
            for (String table : new String[] {"kv", "kv_child"}) {
                assertThat(TableContents.postgres(t, table, "id")).as(table)
                        .isEqualTo(TableContents.postgres(s, table, "id"));
            }
            assertThat(TableContents.count(t, "version_log")).as("versions logged").isGreaterThan(500);
            assertThat(VersionWriters.writtenAgain(t)).as("row versions written twice").isEmpty();
        }
    }

    /**
     * Freezes the child, waits until the target has finished what it sent, and kills it if its connections have
     * committed transactions past the watermark; else lets it go on a little and tries again. Returns whether it was
     * killed so (false: it was killed anyway after many tries).
     */
    private static boolean killWithTransactionsPastTheWatermark(MigrationFixture m, Process child) throws Exception {
        for (int attempt = 0; attempt < 100; attempt++) {
            signal(child, "STOP");
            awaitTargetIdle(m);
            if (appliedPastTheWatermark(m) > 0) {
                child.destroyForcibly();
                assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
                return true;
            }
            String before = appliedState(m);
            signal(child, "CONT");
            // the next freeze lands after at least one more commit, elsewhere in the apply cycle (the writers go on)
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                    .until(() -> !appliedState(m).equals(before) || !child.isAlive());
        }
        child.destroyForcibly();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return false;
    }

    /** Runs of the catch-up child that have opened their stream so far (its log is appended to). */
    private static int streamingRuns(MigrationFixture m) throws IOException {
        return m.childLog("catchup").split("2/2 streaming changes", -1).length - 1;
    }

    private static void signal(Process child, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(child.pid())).start();
        assertThat(kill.waitFor()).isZero();
    }

    /** No statement of the frozen child still runs on the target: what the target holds no longer changes. */
    private static void awaitTargetIdle(MigrationFixture m) throws SQLException {
        try (Connection t = m.target()) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10)).until(() ->
                    TableContents.count(t, "pg_stat_activity WHERE datname = current_database() AND state = 'active' "
                            + "AND pid <> pg_backend_pid()") == 0);
        }
    }

    /** What the target has recorded as applied: the watermark and the window past it; changes with every commit. */
    private static String appliedState(MigrationFixture m) throws SQLException {
        try (Connection t = m.target(); Statement st = t.createStatement();
             ResultSet rs = st.executeQuery("SELECT s.position || ':' || coalesce(w.applied, '') "
                     + "FROM livemigrate.catchup_state s LEFT JOIN livemigrate.catchup_window w ON w.plan = s.plan")) {
            return rs.next() ? rs.getString(1) : "";
        }
        catch (SQLException notYet) {
            return ""; // no window table before the first parallel commit
        }
    }

    private static int appliedPastTheWatermark(MigrationFixture m) throws SQLException {
        try (Connection t = m.target(); Statement st = t.createStatement();
             ResultSet rs = st.executeQuery("SELECT w.applied FROM livemigrate.catchup_window w "
                     + "JOIN livemigrate.catchup_state s ON s.plan = w.plan AND s.position = w.position")) {
            return rs.next() ? BitSet.valueOf(Base64.getDecoder().decode(rs.getString(1))).cardinality() : 0;
        }
        catch (SQLException notYet) {
            return 0; // no parallel commit yet
        }
    }
}
