package io.livemigrate.catchup;

import io.livemigrate.testing.BackgroundWriter;
import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TableContents;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * InnoDB runs ON DELETE / ON UPDATE CASCADE and SET NULL inside the engine and does not log the rows they change,
 * so the binlog holds the parent's change only. The application deletes parents and moves their keys during the
 * copy and while catch-up runs (before and after catch-up builds the foreign keys on the target); every table must
 * end equal to the source. A cascade into a plan table from a table outside the plan cannot be followed at all:
 * {@code check} refuses it.
 */
class MySqlCascadeCatchupTest {

    private static final int PARENTS = 300;

    @TempDir
    Path dir;

    /** Seeds, and the apply connections: one, and for seed 2 also three (parallel apply). */
    static Stream<Arguments> seedsAndApplyThreads() {
        return Stream.of(Arguments.of(1L, 1), Arguments.of(2L, 1), Arguments.of(2L, 3));
    }

    @ParameterizedTest(name = "seed {0}, {1} apply connection(s)")
    @MethodSource("seedsAndApplyThreads")
    void cascadedRowsAreDeletedAndUpdatedOnTheTarget(long seed, int applyThreads) throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.mariadb(), dir, "mycasc" + seed + "t" + applyThreads)
                .copyOptions("{ threads: 2, chunk-rows: 50, partition-rows: 200 }").applyThreads(applyThreads);
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE parent (id int PRIMARY KEY, code varchar(20) NOT NULL UNIQUE, v int)",
                    // cascades from the parent's key and from another unique column
                    "CREATE TABLE child (id int PRIMARY KEY, parent_id int, code varchar(20), v int, "
                            + "CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES parent (id) "
                            + "ON DELETE CASCADE ON UPDATE CASCADE, "
                            + "CONSTRAINT child_code FOREIGN KEY (code) REFERENCES parent (code) "
                            + "ON DELETE SET NULL ON UPDATE CASCADE)",
                    // a second level, and a self-reference
                    "CREATE TABLE grandchild (id int PRIMARY KEY, child_id int NOT NULL, up int, "
                            + "CONSTRAINT gc_child FOREIGN KEY (child_id) REFERENCES child (id) ON DELETE CASCADE, "
                            + "CONSTRAINT gc_up FOREIGN KEY (up) REFERENCES grandchild (id) ON DELETE SET NULL)");
            for (int i = 1; i <= PARENTS; i++) {
                execute(s, "INSERT INTO parent VALUES (" + i + ", 'c" + i + "', 0)");
            }
            for (int i = 1; i <= PARENTS; i++) {
                execute(s, "INSERT INTO child VALUES (" + i + ", " + i + ", 'c" + (1 + (i * 7) % PARENTS) + "', 0)",
                        "INSERT INTO grandchild VALUES (" + i + ", " + i + ", " + (i > 1 ? i - 1 : "NULL") + ")");
            }
        }
        Workload workload = new Workload(seed);
        try (BackgroundWriter w = BackgroundWriter.start("cascading-writer", m::source, workload)) {
            w.awaitOperations(20);
            assertThat(m.run("copy")).as(m.output()).isZero();
            workload.reuseKeys = true;
            Process child = m.startAppending("catchup");
            m.awaitCatchupApplying(child);
            w.awaitOperations(w.operations() + 150);
            assertThat(m.run("stop")).as(m.output()).isZero();
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as(m.childLog("catchup")).isZero();
            // the foreign keys exist on the target from here on
            int earlier = MySqlUniqueKeyCatchupTest.streamingLines(m);
            Process again = m.startAppending("catchup");
            MySqlUniqueKeyCatchupTest.awaitStreaming(m, again, earlier);
            w.awaitOperations(w.operations() + 150);
            assertThat(m.run("stop")).as(m.output()).isZero();
            assertThat(again.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(again.exitValue()).as(m.childLog("catchup")).isZero();
        }
        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
        try (Connection s = m.source(); Connection t = m.target()) {
            assertThat(TableContents.count(s, "child WHERE id <= " + PARENTS)).as("cascades happened")
                    .isLessThan(PARENTS);
            for (String table : new String[] {"parent", "child", "grandchild"}) {
                java.util.Set<String> source = new java.util.LinkedHashSet<>(
                        TableContents.mysql(s, m.sourceDatabase() + "." + table, "id"));
                java.util.Set<String> target = new java.util.LinkedHashSet<>(
                        TableContents.mysql(t, m.targetDatabase() + "." + table, "id"));
                assertThat(source.stream().filter(r -> !target.contains(r)).toList()).as(table + ": missing on target")
                        .isEmpty();
                assertThat(target.stream().filter(r -> !source.contains(r)).toList()).as(table + ": extra on target")
                        .isEmpty();
            }
        }
    }

    @Test
    void checkRefusesACascadeFromATableOutsideThePlan() throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.mariadb(), dir, "mycascout");
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE account (id int PRIMARY KEY)",
                    "CREATE TABLE orders (id int PRIMARY KEY, account_id int, CONSTRAINT orders_account "
                            + "FOREIGN KEY (account_id) REFERENCES account (id) ON DELETE CASCADE)");
        }
        String plan = Files.readString(m.plan());
        Files.writeString(m.plan(), plan.replace("\"] }", "\"], exclude: [\"" + m.sourceDatabase() + ".account\"] }"));
        assertThat(m.run("check")).as(m.output()).isEqualTo(2);
        assertThat(m.output()).contains(m.sourceDatabase() + ".orders").contains("orders_account")
                .contains(m.sourceDatabase() + ".account").containsIgnoringCase("cascade");
    }

    /**
     * Deletes parents (cascading to children and grandchildren), moves parents' keys and codes (cascading), inserts
     * new parents with children, in transactions of a few statements; one the database refuses is rolled back.
     */
    private static final class Workload implements BackgroundWriter.Operation {

        volatile boolean reuseKeys;
        private final Random r;
        private int next = PARENTS * 10;

        Workload(long seed) {
            r = new Random(seed);
        }

        @Override
        public void run(Connection c) throws SQLException {
            int p = 1 + r.nextInt(r.nextBoolean() ? PARENTS : next);
            try {
                switch (r.nextInt(4)) {
                    case 0 -> execute(c, "DELETE FROM parent WHERE id = " + p);
                    // a freed key taken again, once the copy has ended (UnloggedCascades: known gap)
                    case 1 -> execute(c, "UPDATE parent SET id = " + (!reuseKeys || r.nextBoolean()
                            ? next++ : 1 + r.nextInt(PARENTS)) + " WHERE id = " + p);
                    case 2 -> execute(c, "UPDATE parent SET code = 'k" + (next++) + "', v = v + 1 WHERE id = " + p);
                    default -> {
                        int id = next++;
                        execute(c, "INSERT INTO parent VALUES (" + id + ", 'n" + id + "', 1)",
                                "INSERT INTO child VALUES (" + id + ", " + id + ", 'n" + id + "', 1)",
                                "INSERT INTO grandchild VALUES (" + id + ", " + id + ", "
                                        + (1 + r.nextInt(PARENTS)) + ")");
                    }
                }
            }
            catch (SQLException refused) {
                c.rollback(); // e.g. the grandchild's 'up' row is gone
            }
        }
    }
}
