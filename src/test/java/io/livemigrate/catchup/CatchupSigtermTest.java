package io.livemigrate.catchup;

import io.livemigrate.demo.EmbeddedServer;
import io.livemigrate.repository.MigrationHistory;
import io.livemigrate.repository.RepositoryLocation;
import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TableContents;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGTERM, the stop the README offers next to {@code livemigrate stop}: the running catch-up finishes its target
 * transaction, records its position, and its job ends STOPPED in the default (H2 file) repository, with nothing in
 * its log about a repository that closed under it.
 */
class CatchupSigtermTest {

    @TempDir
    Path dir;

    @Test
    void sigtermStopsCleanlyWithTheJobStoppedAndItsPositionRecorded() throws Exception {
        EmbeddedServer pg = TestDatabases.postgres();
        MigrationFixture m = new MigrationFixture(pg, dir, "sigterm");
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE t (id int PRIMARY KEY, v text)",
                    "INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 1000) g");
        }
        assertThat(m.run("copy")).as(m.output()).isZero();
        Process child = m.startAppending("catchup");
        m.awaitCatchupApplying(child);
        try (Connection s = m.source()) {
            for (int i = 0; i < 50; i++) {
                execute(s, "UPDATE t SET v = 'w" + i + "' WHERE id = " + (i + 1), "INSERT INTO t VALUES (" + (2000 + i)
                        + ", 'new')");
            }
        }
        Thread.sleep(1500);
        child.destroy(); // SIGTERM
        assertThat(child.waitFor(90, TimeUnit.SECONDS)).isTrue();
        String log = m.childLog("catchup");
        assertThat(child.exitValue()).as(log).isZero();
        assertThat(log).as(log).contains("catchup: stopped")
                .doesNotContain("JobRepository failure")
                .doesNotContain("already closed")
                .doesNotContain("unknown state")
                .doesNotContain("Exception");

        String recorded;
        try (Connection t = m.target(); Statement st = t.createStatement();
             ResultSet rs = st.executeQuery("SELECT position FROM livemigrate.catchup_state")) {
            assertThat(rs.next()).isTrue();
            recorded = rs.getString(1);
        }
        try (MigrationHistory history = MigrationHistory.open(RepositoryLocation.resolve(m.repositoryUrl(), Map.of(),
                dir)).orElseThrow()) {
            List<MigrationHistory.JobRun> runs = history.executions(m.planName()).stream()
                    .filter(r -> r.jobName().equals("catchup")).toList();
            assertThat(runs).isNotEmpty();
            assertThat(runs.get(runs.size() - 1).status()).isEqualTo("STOPPED");
            List<MigrationHistory.StepRun> steps = history.steps(runs.get(runs.size() - 1).executionId());
            assertThat(steps).anySatisfy(step -> assertThat(step.status()).isEqualTo("STOPPED"));
        }
        // The next run continues from the recorded position and converges.
        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
        assertThat(m.output()).doesNotContain("catch-up starts at " + "the position the copy recorded");
        try (Connection s = m.source(); Connection t = m.target()) {
            assertThat(TableContents.postgres(t, "t", "id")).isEqualTo(TableContents.postgres(s, "t", "id"));
        }
        assertThat(recorded).startsWith("postgresql:");
    }
}
