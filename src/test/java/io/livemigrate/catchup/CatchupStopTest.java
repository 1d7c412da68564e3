package io.livemigrate.catchup;

import io.livemigrate.repository.MigrationHistory.StepRun;
import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.concurrent.TimeUnit;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A running catch-up, seen from other commands through the job repository: its owner (host and pid) is recorded
 * while it runs, so a second {@code catchup} is refused instead of taking it for dead; and {@code stop} returns once
 * the catch-up has ended, not as soon as Spring Batch has written STOPPED on the job (which {@code JobOperator.stop}
 * does at once, while the catch-up goes on to finish its source transaction).
 */
class CatchupStopTest {

    @TempDir
    Path dir;

    @Test
    void aRunningCatchupIsNotRunTwiceAndStopWaitsForItsEnd() throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.postgres(), dir, "stopwait");
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE items (id int PRIMARY KEY, v text)",
                    "INSERT INTO items SELECT g, 'v' FROM generate_series(1, 100) g");
        }
        assertThat(m.run("copy")).as(m.output()).isZero();
        Process child = m.start("catchup");
        try {
            m.awaitCatchupApplying(child);
            assertThat(m.run("catchup", "--until-caught-up")).as(m.output()).isEqualTo(2);
            assertThat(m.output()).contains("already running").contains("pid " + child.pid());
            assertThat(child.isAlive()).as(m.childLog("catchup")).isTrue();

            assertThat(m.run("stop")).as(m.output()).isZero();
            assertThat(m.lastRun(CatchupJobConfiguration.JOB_NAME).status()).isEqualTo("STOPPED");
            assertThat(m.lastSteps(CatchupJobConfiguration.JOB_NAME)).extracting(StepRun::status)
                    .as(m.output()).containsOnly("STOPPED");
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as(m.childLog("catchup")).isZero();
            assertThat(m.childLog("catchup")).as("the stop is seen and the source transaction finished")
                    .contains("stop requested: finishing the current source transaction");
        }
        finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
