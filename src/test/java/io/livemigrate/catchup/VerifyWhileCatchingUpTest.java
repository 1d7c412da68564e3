package io.livemigrate.catchup;

import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Verification while catch-up runs and writers keep changing the source: rows that differ only because catch-up has
 * not replayed them yet are rechecked after the target has applied past the source position of the first check and
 * count as "in flux", never as differences; a row corrupted on the target stays a difference. Once the writers stop
 * and catch-up drains, a second verification finds exactly that one row.
 */
class VerifyWhileCatchingUpTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"postgres", "mariadb"})
    void rowsInFluxAreRecheckedAndOnlyTheCorruptedRowIsADifference(String engine) throws Exception {
        boolean mysql = engine.equals("mariadb");
        MigrationFixture m = fixture(mysql);
        assertThat(m.run("copy")).as(m.output()).isZero();
        try (Connection t = m.target()) {
            execute(t, "UPDATE quiet SET v = 'corrupt' WHERE id = 500");
        }
        String schema = mysql ? m.sourceDatabase() : "public";
        Process catchup = m.startAppending("catchup");
        try {
            m.awaitCatchupApplying(catchup);
            try (RandomWriters writers = new RandomWriters(m::source, 3, 5, mysql)) {
                writers.awaitMoreOperations(200);
                assertThat(m.run("verify")).as(m.output()).isEqualTo(3);
                assertThat(writers.operations.get()).as("the writers kept writing during the verification")
                        .isGreaterThan(200);
            }
            String report = m.output();
            long[] items = counts(report, schema + ".items");
            assertThat(items[2] + items[3] + items[4]).as("missing + extra + different on items:\n" + report).isZero();
            assertThat(items[5]).as("rows of items seen in flux and rechecked:\n" + report).isPositive();
            long[] quiet = counts(report, schema + ".quiet");
            assertThat(quiet[4]).as(report).isEqualTo(1);
            assertThat(report).contains("500");
            assertThat(m.run("stop")).as(m.output()).isZero();
            assertThat(catchup.waitFor(180, TimeUnit.SECONDS)).isTrue();
        }
        finally {
            catchup.destroy();
            catchup.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
        assertThat(m.run("verify")).as(m.output()).isEqualTo(3);
        long[] items = counts(m.output(), schema + ".items");
        assertThat(items[2] + items[3] + items[4] + items[5]).as(m.output()).isZero();
        assertThat(counts(m.output(), schema + ".quiet")[4]).isEqualTo(1);
    }

    /** items, which the writers change, and quiet, which nobody writes to after the copy. */
    private MigrationFixture fixture(boolean mysql) throws SQLException {
        MigrationFixture m = new MigrationFixture(mysql ? TestDatabases.mariadb() : TestDatabases.postgres(), dir,
                mysql ? "myflux" : "flux").copyOptions("{ threads: 2, chunk-rows: 200, partition-rows: 500 }");
        try (Connection s = m.source()) {
            execute(s, mysql ? RandomWriters.MYSQL_DDL : RandomWriters.DDL,
                    "CREATE TABLE quiet (id int PRIMARY KEY, v varchar(20))");
            Random r = new Random(3);
            try (var ps = s.prepareStatement("INSERT INTO items VALUES (?, 1, ?, ?, 'x')")) {
                for (int i = 1; i <= 3000; i += 2) {
                    ps.setLong(1, i);
                    ps.setString(2, RandomWriters.payload(r));
                    ps.setBytes(3, new byte[] {1, 2});
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (var ps = s.prepareStatement("INSERT INTO quiet VALUES (?, 'q')")) {
                for (int i = 1; i <= 1000; i++) {
                    ps.setInt(1, i);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            execute(s, mysql ? "ANALYZE TABLE items, quiet" : "ANALYZE");
        }
        return m;
    }

    /** compared, matching, missing, extra, different, in flux, repaired: the table's line of the report. */
    private static long[] counts(String report, String table) {
        Matcher line = Pattern.compile(Pattern.quote(table) + "((?:\\s+[\\d,]+){7})").matcher(report);
        assertThat(line.find()).as("a report line for " + table + " in:\n" + report).isTrue();
        String[] fields = line.group(1).trim().split("\\s+");
        long[] counts = new long[fields.length];
        for (int i = 0; i < fields.length; i++) {
            counts[i] = Long.parseLong(fields[i].replace(",", ""));
        }
        return counts;
    }
}
