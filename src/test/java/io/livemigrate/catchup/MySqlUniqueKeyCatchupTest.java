package io.livemigrate.catchup;

import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TableContents;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A table with a secondary UNIQUE key, once catch-up has built it on the target: MySQL's {@code INSERT ... ON
 * DUPLICATE KEY UPDATE} fires on any unique key, so a compacted upsert could update another row than the one it
 * names and lose a row without an error. The application moves unique values between rows inside transactions
 * (the example first, then seeded ones) while catch-up runs; the target must end equal to the source.
 */
class MySqlUniqueKeyCatchupTest {

    private static final int ROWS = 40;
    private static final int EMAILS = 60;

    @TempDir
    Path dir;

    /** Seeds, and the apply connections: one, and for seed 2 also three (parallel apply). */
    static Stream<Arguments> seedsAndApplyThreads() {
        return Stream.of(Arguments.of(1L, 1), Arguments.of(2L, 1), Arguments.of(2L, 3));
    }

    @ParameterizedTest(name = "seed {0}, {1} apply connection(s)")
    @MethodSource("seedsAndApplyThreads")
    void upsertsNeverTouchAnotherRowThroughASecondaryUniqueKey(long seed, int applyThreads) throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.mariadb(), dir, "myuniq" + seed + "t" + applyThreads)
                .applyThreads(applyThreads);
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE u (id int PRIMARY KEY, email varchar(40) NOT NULL, name varchar(20), "
                    + "CONSTRAINT u_email UNIQUE (email))", "INSERT INTO u VALUES (5, 'e@x', 'five')");
            for (int i = 20; i < 20 + ROWS; i++) {
                execute(s, "INSERT INTO u VALUES (" + i + ", 'm" + i + "', 'n')");
            }
        }
        assertThat(m.run("copy")).as(m.output()).isZero();
        // The first run passes the copy's end and builds the unique key on the target.
        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
        Process child = m.startAppending("catchup");
        awaitStreaming(m, child, 0);
        try (Connection s = m.source()) {
            s.setAutoCommit(false);
            execute(s, "INSERT INTO u VALUES (10, 'g@x', 'ten')", "UPDATE u SET email = 'f@x' WHERE id = 5",
                    "UPDATE u SET email = 'e@x' WHERE id = 10");
            s.commit();
            Random r = new Random(seed);
            for (int tx = 0; tx < 150; tx++) {
                try {
                    for (int op = 0; op < 1 + r.nextInt(6); op++) {
                        int id = 20 + r.nextInt(ROWS + 10);
                        String email = "m" + (20 + r.nextInt(EMAILS));
                        switch (r.nextInt(4)) {
                            case 0 -> execute(s, "INSERT INTO u VALUES (" + id + ", '" + email + "', 'i')");
                            case 1 -> execute(s, "UPDATE u SET email = '" + email + "', name = 'u" + tx
                                    + "' WHERE id = " + id);
                            case 2 -> execute(s, "DELETE FROM u WHERE id = " + id);
                            default -> swap(s, id, 20 + r.nextInt(ROWS + 10), tx);
                        }
                    }
                    s.commit();
                }
                catch (SQLException taken) {
                    s.rollback(); // a unique value or key in use: the source refused, so the target never sees it
                }
            }
        }
        assertThat(m.run("stop")).as(m.output()).isZero();
        assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as(m.childLog("catchup")).isZero();
        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
        try (Connection s = m.source(); Connection t = m.target()) {
            assertThat(TableContents.mysql(t, m.targetDatabase() + ".u", "id"))
                    .isEqualTo(TableContents.mysql(s, m.sourceDatabase() + ".u", "id"));
            assertThat(TableContents.count(t, "u WHERE id = 10")).as("the issue's row 10").isEqualTo(1);
        }
    }

    /**
     * Waits until the catch-up in {@code child} streams (its state row exists already, from an earlier run): until the
     * child log holds more than {@code earlier} streaming lines.
     */
    static void awaitStreaming(MigrationFixture m, Process child, int earlier) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (streamingLines(m) <= earlier) {
            if (!child.isAlive() || System.nanoTime() > deadline) {
                child.destroyForcibly();
                throw new AssertionError("catch-up did not start streaming:\n" + m.childLog("catchup"));
            }
            Thread.sleep(100);
        }
    }

    static int streamingLines(MigrationFixture m) throws java.io.IOException {
        return m.childLog("catchup").split("2/2 streaming", -1).length - 1;
    }

    /** Swaps two rows' unique values through a free one, as the constraint requires. */
    private static void swap(Connection s, int a, int b, int tx) throws SQLException {
        execute(s, "SET @ea = NULL, @eb = NULL", "SELECT email INTO @ea FROM u WHERE id = " + a,
                "SELECT email INTO @eb FROM u WHERE id = " + b,
                "UPDATE u SET email = 'tmp" + tx + "' WHERE id = " + a,
                "UPDATE u SET email = @ea WHERE id = " + b, "UPDATE u SET email = @eb WHERE id = " + a);
    }
}
