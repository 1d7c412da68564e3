package io.livemigrate.catchup;

import io.livemigrate.cli.Main;
import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TableContents;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/** Catch-up on MariaDB through the binlog: converges under concurrent writers, survives kill -9, stops on DDL. */
class MySqlCatchupTest {

    @TempDir
    Path dir;

    private MigrationFixture fixture(String prefix) throws SQLException {
        return fixture(prefix, 1);
    }

    private MigrationFixture fixture(String prefix, int applyThreads) throws SQLException {
        MigrationFixture m = new MigrationFixture(TestDatabases.mariadb(), dir, prefix)
                .copyOptions("{ threads: 2, chunk-rows: 200, partition-rows: 500 }").applyThreads(applyThreads);
        try (Connection s = m.source()) {
            execute(s, RandomWriters.MYSQL_DDL);
            Random r = new Random(7);
            try (var ps = s.prepareStatement("INSERT INTO items VALUES (?, 1, ?, X'0102', 'x')")) {
                for (int i = 1; i <= 1500; i += 3) {
                    ps.setLong(1, i);
                    ps.setString(2, RandomWriters.payload(r));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            execute(s, "CREATE TABLE pairs (a int, b varchar(20), v varchar(40), PRIMARY KEY (a, b))",
                    "INSERT INTO pairs SELECT seq, concat('k', seq), 'v' FROM seq_1_to_300", "ANALYZE TABLE items, pairs");
        }
        return m;
    }

    /** Random writers during the copy and while catch-up streams; stop them; catch-up drains; exactly equal. */
    @ParameterizedTest(name = "{0} apply connection(s)")
    @ValueSource(ints = {1, 4})
    void convergesUnderConcurrentWriters(int applyThreads) throws Exception {
        MigrationFixture m = fixture("myconv" + applyThreads, applyThreads);
        Process child;
        try (RandomWriters writers = new RandomWriters(m::source, 3, 11, true)) {
            assertThat(m.run("copy")).as(m.output()).isZero();
            child = m.startAppending("catchup", "--until-caught-up", "--max-lag", "0");
            m.awaitCatchupApplying(child);
            writers.awaitMoreOperations(300);
            assertThat(child.isAlive()).as(m.childLog("catchup")).isTrue();
            writers.close();
            assertThat(writers.operations.get()).isGreaterThan(100);
        }
        try (Connection s = m.source()) {
            execute(s, "UPDATE pairs SET a = a + 1000 WHERE a % 7 = 0", "DELETE FROM pairs WHERE a % 5 = 0");
        }
        assertThat(child.waitFor(180, TimeUnit.SECONDS)).as(m.childLog("catchup")).isTrue();
        assertThat(child.exitValue()).as(m.childLog("catchup")).isZero();
        assertThat(m.childLog("catchup")).contains("caught up");
        assertEqual(m);
    }

    @ParameterizedTest(name = "{0} apply connection(s)")
    @ValueSource(ints = {1, 3})
    void survivesKillNine(int applyThreads) throws Exception {
        MigrationFixture m = fixture("mykill" + applyThreads, applyThreads);
        assertThat(m.run("copy")).as(m.output()).isZero();
        try (RandomWriters writers = new RandomWriters(m::source, 3, 43, true)) {
            for (int i = 0; i < 2; i++) {
                Process child = m.startAppending("catchup");
                m.awaitCatchupApplying(child);
                writers.awaitMoreOperations(150L * (i + 1));
                assertThat(child.isAlive()).as(m.childLog("catchup")).isTrue();
                child.destroyForcibly();
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            }
        }
        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
        assertEqual(m);
    }

    /**
     * DDL on a migrated table while catch-up streams: the changes before it are applied, then the job stops and says
     * what happened. (DDL made while catch-up is not running is refused when it starts: the binlog's old row images
     * cannot be decoded against the new definition, so the message asks for a new copy of that table.)
     */
    @Test
    void ddlOnAMigratedTableStops() throws Exception {
        MigrationFixture m = fixture("myddl");
        assertThat(m.run("copy")).as(m.output()).isZero();
        Process child = m.startAppending("catchup");
        try (Connection s = m.source()) {
            execute(s, "INSERT INTO pairs VALUES (8001, 'warm-up', 'x')");
            awaitRow(m, "pairs WHERE a = 8001", child);
            execute(s, "INSERT INTO pairs VALUES (9001, 'before', 'x')", "ALTER TABLE pairs ADD COLUMN extra int",
                    "INSERT INTO pairs VALUES (9002, 'after', 'y', 5)");
        }
        assertThat(child.waitFor(180, TimeUnit.SECONDS)).as(m.childLog("catchup")).isTrue();
        assertThat(child.exitValue()).isEqualTo(1);
        assertThat(m.childLog("catchup")).contains("pairs").containsIgnoringCase("DDL");
        try (Connection t = m.target()) {
            assertThat(TableContents.count(t, "pairs WHERE a = 9001")).as("changes before the DDL applied").isEqualTo(1);
            assertThat(TableContents.count(t, "pairs WHERE a = 9002")).as("nothing after it").isZero();
        }
    }

    private static void awaitRow(MigrationFixture m, String tableAndCondition, Process child) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && child.isAlive()) {
            try (Connection t = m.target()) {
                if (TableContents.count(t, tableAndCondition) > 0) {
                    return;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("catch-up did not apply " + tableAndCondition + ":\n" + m.childLog("catchup"));
    }

    private void assertEqual(MigrationFixture m) throws SQLException {
        try (Connection s = m.source(); Connection t = m.target()) {
            for (String[] table : new String[][] {{"items", "id"}, {"pairs", "a, b"}}) {
                List<String> expected = TableContents.mysql(s, m.sourceDatabase() + "." + table[0], table[1]);
                assertThat(TableContents.mysql(t, m.targetDatabase() + "." + table[0], table[1])).as(table[0])
                        .hasSize(expected.size()).isEqualTo(expected);
            }
            try (PreparedStatement ps = t.prepareStatement(
                    "SELECT count(*) FROM livemigrate.catchup_state WHERE plan = ?")) {
                ps.setString(1, m.dir().getFileName().toString().replaceAll("[^A-Za-z0-9_-]", ""));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getInt(1)).isEqualTo(1);
                }
            }
        }
    }


}
