package io.livemigrate.copy;

import io.livemigrate.demo.EmbeddedServer;
import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TableContents;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A copy killed with {@code kill -9} half way, in a child JVM, then run again: it resumes (only unfinished
 * partitions, from their last committed chunk) and the target ends up exactly equal to the source.
 */
class CopyKillResumeTest {

    private static final int ROWS = 400_000;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "mariadb"})
    void copyKilledHalfWayResumesToAnExactCopy(String engine) throws Exception {
        boolean postgres = engine.equals("postgresql");
        EmbeddedServer server = postgres ? TestDatabases.postgres() : TestDatabases.mariadb();
        MigrationFixture m = new MigrationFixture(server, dir, "kill_" + engine)
                .copyOptions("{ threads: 2, chunk-rows: 500, partition-rows: 50000 }");
        try (Connection s = m.source()) {
            if (postgres) {
                execute(s, "CREATE TABLE big (id bigint PRIMARY KEY, payload text, n numeric)",
                        "INSERT INTO big SELECT g, md5(g::text) || repeat('x', g % 50), g / 7.0 FROM generate_series(1, " + ROWS + ") g",
                        "ANALYZE big");
            }
            else {
                execute(s, "CREATE TABLE big (id bigint PRIMARY KEY, payload varchar(100), n decimal(20,6))",
                        "INSERT INTO big SELECT seq, concat(md5(seq), repeat('x', seq % 50)), seq / 7 FROM seq_1_to_" + ROWS,
                        "ANALYZE TABLE big");
            }
        }
        String table = postgres ? "public.big" : m.targetDatabase() + ".big";

        Process child = m.start("copy");
        long seenAtKill = waitForRows(m, table, ROWS / 10, child);
        assertThat(child.isAlive()).as("the copy was still running when killed").isTrue();
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(seenAtKill).as("killed half way").isLessThan(ROWS);
        // What an attempt may leave beyond its last checkpoint: rows committed on the target whose chunk the job
        // repository never recorded. On PostgreSQL the interrupted copy loaded without the key index, so the resumed
        // copy must build it before its slices can find (and replace) these.
        int stale = leaveRowsBeyondTheCheckpoints(m, table, postgres);
        assertThat(stale).as("rows planted in ranges not copied yet").isPositive();

        assertThat(m.run("copy")).as(m.output()).isZero();
        assertThat(m.output()).contains("COMPLETED (resumed)");

        try (Connection s = m.source(); Connection t = m.target()) {
            List<String> expected = postgres ? TableContents.postgres(s, "big", "id")
                    : TableContents.mysql(s, m.sourceDatabase() + ".big", "id");
            List<String> actual = postgres ? TableContents.postgres(t, "big", "id") : TableContents.mysql(t, table, "id");
            assertThat(actual).hasSize(ROWS);
            assertThat(actual).as("no duplicate, nothing missing, every value equal").isEqualTo(expected);
            if (postgres) {
                assertThat(TableContents.count(t, "pg_constraint WHERE conrelid = 'public.big'::regclass AND contype = 'p'"))
                        .as("the deferred primary key was built").isEqualTo(1);
            }
        }
        assertThat(m.run("status")).isZero();
        assertThat(m.output()).contains("copy complete").containsPattern("\\d+\\s+copy\\s+FAILED")
                .containsPattern("\\d+\\s+copy\\s+COMPLETED");
    }

    /**
     * Inserts, on the target, a stale version of the top 100 source keys that the killed copy had not written; returns
     * how many. The last partitions are the ones a copy killed at 10 % has not reached.
     */
    private static int leaveRowsBeyondTheCheckpoints(MigrationFixture m, String table, boolean postgres) throws SQLException {
        int planted = 0;
        try (Connection t = m.target()) {
            for (int id = ROWS; id > ROWS - 100; id--) {
                if (TableContents.count(t, table + " WHERE id = " + id) == 0) {
                    execute(t, "INSERT INTO " + (postgres ? "big" : table) + " (id, payload, n) VALUES (" + id
                            + ", 'stale', -1)");
                    planted++;
                }
            }
        }
        return planted;
    }

    /** Polls the target until the copy has written at least {@code rows} rows; returns the count seen. */
    private static long waitForRows(MigrationFixture m, String table, long rows, Process child) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            if (!child.isAlive()) {
                throw new AssertionError("the copy ended before it could be killed:\n"
                        + Files.readString(m.dir().resolve("copy-child.log")));
            }
            try (Connection t = m.target()) {
                long count = TableContents.count(t, table);
                if (count >= rows) {
                    return count;
                }
            }
            catch (SQLException tableNotThereYet) {
                // the copy creates the table after capturing its position
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the copy wrote fewer than " + rows + " rows in 120 s");
    }
}
