package io.livemigrate.catchup;

import io.livemigrate.cli.Main;
import io.livemigrate.demo.EmbeddedServer;
import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TableContents;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.livemigrate.testing.TableContents.execute;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

/** Catch-up on PostgreSQL: converges under concurrent writers, survives kill -9, keeps transactions whole, stops clearly. */
class PostgresCatchupTest {

    @TempDir
    Path dir;

    private MigrationFixture fixture(String prefix) throws SQLException {
        return fixture(prefix, 1);
    }

    private MigrationFixture fixture(String prefix, int applyThreads) throws SQLException {
        EmbeddedServer pg = TestDatabases.postgres();
        MigrationFixture m = new MigrationFixture(pg, dir, prefix)
                .copyOptions("{ threads: 2, chunk-rows: 200, partition-rows: 500 }").applyThreads(applyThreads);
        try (Connection s = m.source()) {
            execute(s, RandomWriters.DDL);
            Random r = new Random(7);
            try (var ps = s.prepareStatement("INSERT INTO items VALUES (?, 1, ?, '\\x0102', 'x')")) {
                for (int i = 1; i <= 1500; i += 3) {
                    ps.setLong(1, i);
                    ps.setString(2, RandomWriters.payload(r));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            execute(s, "CREATE TABLE pairs (a int, b text, v text, PRIMARY KEY (a, b))",
                    "INSERT INTO pairs SELECT g, 'k' || g, 'v' FROM generate_series(1, 300) g", "ANALYZE");
        }
        return m;
    }

    /** Seeds, and the apply connections catch-up uses: one (the serial path) and several (parallel apply). */
    static Stream<Arguments> seedsAndApplyThreads() {
        return Stream.of(Arguments.of(1L, 1), Arguments.of(2L, 1), Arguments.of(1L, 4), Arguments.of(2L, 3));
    }

    /** Random writers during the copy and during catch-up; stop; drain; exactly equal. */
    @ParameterizedTest(name = "seed {0}, {1} apply connection(s)")
    @MethodSource("seedsAndApplyThreads")
    void convergesUnderConcurrentWriters(long seed, int applyThreads) throws Exception {
        MigrationFixture m = fixture("conv" + seed + "t" + applyThreads, applyThreads);
        RandomWriters writers = new RandomWriters(m::source, 3, seed);
        try {
            assertThat(m.run("copy")).as(m.output()).isZero();
            Process child = m.startAppending("catchup");
            awaitRunning(m, child);
            writers.awaitMoreOperations(300);
            assertThat(m.run("stop")).as(m.output()).isZero();
            assertThat(child.waitFor(180, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as(m.childLog("catchup")).isZero();
            assertThat(m.childLog("catchup")).contains("catchup: stopped");
        }
        finally {
            writers.close();
        }
        try (Connection s = m.source()) {
            execute(s, "UPDATE pairs SET a = a + 1000 WHERE a % 7 = 0", "DELETE FROM pairs WHERE a % 5 = 0");
        }
        assertThat(writers.operations.get()).isGreaterThan(100);
        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
        assertThat(m.output()).contains("caught up");
        assertEqual(m);
        assertThat(m.run("status")).isZero();
        assertThat(m.output()).contains("catch-up stopped: applied up to postgresql:slot=");
    }

    /** kill -9 of the catch-up JVM, three times, while writers run: restart resumes; exact, nothing twice. */
    @ParameterizedTest(name = "{0} apply connection(s)")
    @ValueSource(ints = {1, 4})
    void survivesKillNine(int applyThreads) throws Exception {
        MigrationFixture m = fixture("kill" + applyThreads, applyThreads);
        assertThat(m.run("copy")).as(m.output()).isZero();
        try (RandomWriters writers = new RandomWriters(m::source, 3, 42)) {
            for (int i = 0; i < 3; i++) {
                Process child = m.startAppending("catchup");
                m.awaitCatchupApplying(child);
                writers.awaitMoreOperations(150L * (i + 1));
                assertThat(child.isAlive()).as(m.childLog("catchup")).isTrue();
                child.destroyForcibly();
                assertThat(child.waitFor(180, TimeUnit.SECONDS)).isTrue();
            }
        }
        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
        assertEqual(m);
    }

    /** 500,000 rows in one source transaction: the target shows none of them or all of them, never part. */
    @Test
    void largeTransactionArrivesWhole() throws Exception {
        MigrationFixture m = fixture("large");
        assertThat(m.run("copy")).as(m.output()).isZero();
        long before;
        try (Connection t = m.target()) {
            before = TableContents.count(t, "pairs");
        }
        try (Connection s = m.source()) {
            execute(s, "INSERT INTO pairs SELECT g, 'big', md5(g::text) FROM generate_series(1, 500000) g");
        }
        Process child = m.startAppending("catchup", "--until-caught-up", "--max-lag", "0");
        List<Long> seen = new ArrayList<>();
        try (Connection t = m.target()) {
            while (child.isAlive()) {
                seen.add(TableContents.count(t, "pairs") - before);
                Thread.sleep(20);
            }
        }
        assertThat(child.exitValue()).as(m.childLog("catchup")).isZero();
        assertThat(seen).allMatch(n -> n == 0 || n == 500_000);
        assertEqual(m);
    }

    /**
     * Rows that swap the values of a secondary unique key inside one source transaction: the batch's one-statement
     * upsert hits the unique key (each row's image alone is fine, not all at once), and the applier replays the
     * transaction change by change, in source order. Exactly equal after, for many rows at once.
     */
    @Test
    void swappedUniqueValuesAreReplayedOneByOne() throws Exception {
        MigrationFixture m = fixture("swap");
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE codes (id int PRIMARY KEY, code text NOT NULL UNIQUE)",
                    "INSERT INTO codes SELECT g, 'c' || g FROM generate_series(1, 200) g");
        }
        assertThat(m.run("copy")).as(m.output()).isZero();
        // past the copy's end, so the unique constraint the copy deferred exists on the target
        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
        try (Connection s = m.source()) {
            s.setAutoCommit(false);
            // every odd row takes its even neighbour's code and the other way round, through a placeholder
            execute(s, "UPDATE codes SET code = 'tmp' || id WHERE id % 2 = 1",
                    "UPDATE codes SET code = 'c' || (id - 1) WHERE id % 2 = 0",
                    "UPDATE codes SET code = 'c' || (id + 1) WHERE id % 2 = 1");
            s.commit();
        }
        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
        assertThat(m.output()).contains("replaying");
        try (Connection s = m.source(); Connection t = m.target()) {
            assertThat(TableContents.postgres(t, "codes", "id")).isEqualTo(TableContents.postgres(s, "codes", "id"))
                    .hasSize(200);
        }
    }

    @Test
    void ddlOnAMigratedTableStops() throws Exception {
        MigrationFixture m = fixture("ddl");
        assertThat(m.run("copy")).as(m.output()).isZero();
        try (Connection s = m.source()) {
            execute(s, "INSERT INTO pairs VALUES (9001, 'before', 'x')", "ALTER TABLE pairs ADD COLUMN extra int",
                    "INSERT INTO pairs VALUES (9002, 'after', 'y', 5)");
        }
        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).isEqualTo(1);
        assertThat(m.output()).contains("DDL changed table public.pairs on the source")
                .contains("Make the same change to the target table");
        try (Connection t = m.target()) {
            assertThat(TableContents.count(t, "pairs WHERE a = 9001")).as("changes before the DDL applied").isEqualTo(1);
            execute(t, "ALTER TABLE pairs ADD COLUMN extra int");
        }
        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
        assertEqual(m);
    }

    @Test
    void droppedSlotStops() throws Exception {
        MigrationFixture m = fixture("slot");
        assertThat(m.run("copy")).as(m.output()).isZero();
        try (Connection s = m.source(); Statement st = s.createStatement()) {
            st.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots "
                    + "WHERE database = current_database()");
        }
        assertThat(m.run("catchup", "--until-caught-up")).isEqualTo(1);
        assertThat(m.output()).contains("does not exist on the source (it was dropped)");
    }

    /**
     * A quiet plan on a busy server: WAL written in another database carries nothing for the plan. Once caught up,
     * the target records the walsender's position and then the slot confirms it, so the slot does not keep that WAL
     * and the next run does not decode it again; the next changes still arrive, exactly.
     */
    @Test
    void aQuietPlanRecordsAndConfirmsTheWalOthersWrite() throws Exception {
        MigrationFixture m = fixture("quiet");
        assertThat(m.run("copy")).as(m.output()).isZero();
        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
        long confirmedBefore = confirmedFlush(m);
        EmbeddedServer pg = TestDatabases.postgres();
        long walEnd;
        try (Connection other = pg.connect(EmbeddedServer.databaseOf(pg.newDatabase("quiet_other")))) {
            execute(other, "CREATE TABLE noise (id int PRIMARY KEY, v text)",
                    "INSERT INTO noise SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 20000) g");
            walEnd = queryLong(other, "SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint");
        }
        assertThat(walEnd - confirmedBefore).as("WAL written meanwhile").isGreaterThan(1_000_000);

        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
        long confirmed = confirmedFlush(m);
        long recorded;
        try (Connection t = m.target()) {
            recorded = queryLong(t, "SELECT (split_part(position, 'lsn=', 2)::pg_lsn - '0/0'::pg_lsn)::bigint"
                    + " FROM livemigrate.catchup_state");
        }
        assertThat(confirmed).as("the slot confirmed the WAL written by the other database")
                .isGreaterThanOrEqualTo(walEnd);
        assertThat(recorded).as("the target holds what the slot confirmed").isGreaterThanOrEqualTo(confirmed);

        try (Connection s = m.source()) {
            execute(s, "UPDATE pairs SET v = 'after the quiet' WHERE a <= 50", "DELETE FROM pairs WHERE a > 290");
        }
        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
        assertEqual(m);
    }

    /** The slot's confirmed position once its walsender has exited (it has then read every reply catch-up sent). */
    private static long confirmedFlush(MigrationFixture m) throws SQLException {
        try (Connection s = m.source()) {
            String active = "SELECT count(*) FROM pg_replication_slots WHERE database = current_database() AND active";
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> queryLong(s, active) == 0);
            return queryLong(s, "SELECT (confirmed_flush_lsn - '0/0'::pg_lsn)::bigint FROM pg_replication_slots"
                    + " WHERE database = current_database()");
        }
    }

    private static long queryLong(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).as(sql).isTrue();
            return rs.getLong(1);
        }
    }

    @Test
    void tableWithoutUsableKeyStops() throws Exception {
        MigrationFixture m = fixture("nokey");
        assertThat(m.run("copy")).as(m.output()).isZero();
        try (Connection s = m.source()) {
            execute(s, "ALTER TABLE pairs DROP CONSTRAINT pairs_pkey");
        }
        assertThat(m.run("catchup", "--until-caught-up")).isEqualTo(1);
        assertThat(m.output()).contains("public.pairs has no usable key");
    }

    private void assertEqual(MigrationFixture m) throws SQLException {
        try (Connection s = m.source(); Connection t = m.target()) {
            for (String[] table : new String[][] {{"items", "id"}, {"pairs", "a, b"}}) {
                List<String> expected = TableContents.postgres(s, table[0], table[1]);
                assertThat(TableContents.postgres(t, table[0], table[1])).as(table[0]).hasSize(expected.size())
                        .isEqualTo(expected);
            }
            try (Statement st = t.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM livemigrate.catchup_state")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
        }
    }


    private static void awaitRunning(MigrationFixture m, Process child) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        // Polls the target, not the H2 repository: opening that while the child starts races its AUTO_SERVER lock.
        while (System.nanoTime() < deadline && child.isAlive()) {
            try (Connection t = m.target()) {
                if (TableContents.count(t, "livemigrate.catchup_state") > 0) {
                    return;
                }
            }
            catch (SQLException notYet) {
                // the state table is created when catch-up starts
            }
            Thread.sleep(200);
        }
        throw new AssertionError("catch-up did not start:\n" + m.childLog("catchup"));
    }

}
