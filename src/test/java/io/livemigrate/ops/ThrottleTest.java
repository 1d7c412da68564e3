package io.livemigrate.ops;

import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TableContents;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code throttle} changes a copy running in another process: rows/s measured on the target before and after a
 * lower limit, a pause that stops it, a lag rule that holds it, then unlimited to an exact copy. Bounds are wide on
 * purpose (shared, noisy machines): the lowered rate must end up well under the earlier one, not near a number.
 */
class ThrottleTest {

    private static final int ROWS = 300_000;

    @TempDir
    Path dir;

    @Test
    void throttleChangesReachARunningCopyAndAreRecorded() throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.postgres(), dir, "throttle")
                .copyOptions("{ threads: 2, chunk-rows: 500, partition-rows: 50000 }");
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE big (id bigint PRIMARY KEY, payload text)",
                    "INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, " + ROWS + ") g", "ANALYZE big");
        }
        assertThat(m.run("throttle", "--rows-per-second", "20000", "--by", "test-before")).as(m.output()).isZero();

        Process copy = m.start("copy");
        try {
            waitForRows(m, 5_000, copy);
            double before = rate(m, copy);

            assertThat(m.run("throttle", "--rows-per-second", "2000")).as(m.output()).isZero();
            Thread.sleep(2_000); // picked up within a second; a slice in flight finishes first
            double after = rate(m, copy);
            System.out.printf("throttle test: %.0f rows/s at 20,000, %.0f rows/s at 2,000%n", before, after);
            assertThat(after).as("rows/s at 2,000 rows/s (was %.0f at 20,000)", before)
                    .isLessThan(before / 2).isLessThan(2_000 * 2);

            assertThat(m.run("throttle", "--pause")).isZero();
            Thread.sleep(3_000);
            long paused = rows(m);
            Thread.sleep(3_000);
            assertThat(rows(m)).as("no rows while paused").isEqualTo(paused);

            assertThat(m.run("throttle", "--resume", "--lag-query", "SELECT 10", "--max-lag", "5")).isZero();
            Thread.sleep(3_000);
            long held = rows(m);
            Thread.sleep(3_000);
            assertThat(rows(m)).as("no rows while the lag rule reports 10 > 5").isEqualTo(held);

            assertThat(m.run("throttle", "--no-lag-rule", "--rows-per-second", "unlimited")).isZero();
            assertThat(copy.waitFor(300, TimeUnit.SECONDS)).as("copy finishes once unthrottled").isTrue();
            assertThat(copy.exitValue()).as(log(m)).isZero();
        }
        finally {
            copy.destroyForcibly();
        }
        assertThat(log(m)).contains("is now 2,000 rows/s", "is now 2,000 rows/s, paused",
                "pause while (SELECT 10) > 5.0", "is now unlimited");
        try (Connection s = m.source(); Connection t = m.target()) {
            assertThat(TableContents.postgres(t, "big", "id")).isEqualTo(TableContents.postgres(s, "big", "id"));
        }

        assertThat(m.run("throttle")).isZero();
        assertThat(m.output()).contains("is unlimited").contains("test-before")
                .contains("rows-per-second 2000").contains("pause").contains("resume, lag rule (SELECT 10) > 5.0")
                .contains("rows-per-second unlimited, no lag rule");
    }

    @Test
    void unknownThrottleValuesGetAClearErrorAndChangeNothing() throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.postgres(), dir, "throttle_bad");
        assertThat(m.run("throttle", "--rows-per-second", "fast")).isEqualTo(2);
        assertThat(m.output()).contains("--rows-per-second 'fast' is not a positive whole number or 'unlimited'");
        assertThat(m.run("throttle", "--rows-per-second", "-5")).isEqualTo(2);
        assertThat(m.output()).contains("'-5' is not a positive whole number");
        assertThat(m.run("throttle", "--pause", "--resume")).isEqualTo(2);
        assertThat(m.output()).contains("--pause or --resume, not both");
        assertThat(m.run("throttle", "--lag-query", "SELECT 1")).isEqualTo(2);
        assertThat(m.output()).contains("needs both --lag-query and --max-lag");
        assertThat(m.run("throttle", "--lag-query", "SELECT 1", "--max-lag", "soon")).isEqualTo(2);
        assertThat(m.output()).contains("--max-lag").contains("soon");
        assertThat(m.run("throttle")).isZero();
        assertThat(m.output()).contains("is unlimited").doesNotContain("CHANGE");
    }

    /** Rows/s on the target over a few seconds. */
    private static double rate(MigrationFixture m, Process copy) throws Exception {
        long startRows = rows(m);
        long start = System.nanoTime();
        Thread.sleep(4_000);
        long endRows = rows(m);
        assertThat(copy.isAlive()).as("the copy is still running while measured").isTrue();
        return (endRows - startRows) / ((System.nanoTime() - start) / 1e9);
    }

    private static long rows(MigrationFixture m) throws SQLException {
        try (Connection t = m.target()) {
            return TableContents.count(t, "public.big");
        }
    }

    private static void waitForRows(MigrationFixture m, long rows, Process copy) throws Exception {
        for (int i = 0; i < 6000; i++) {
            assertThat(copy.isAlive()).as("copy running").isTrue();
            try {
                if (rows(m) >= rows) {
                    return;
                }
            }
            catch (SQLException tableNotThereYet) {
                // created after the position is captured
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the copy wrote fewer than " + rows + " rows in 120 s:\n" + log(m));
    }

    private static String log(MigrationFixture m) throws Exception {
        return Files.readString(m.dir().resolve("copy-child.log"));
    }
}
