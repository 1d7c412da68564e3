package io.livemigrate.cutover;

import io.livemigrate.testing.CatchupLag;
import io.livemigrate.testing.KeyedTables;
import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TableContents;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Step 4 of the cutover re-checks the rows catch-up changed since the last clean verification: a target row
 * corrupted behind catch-up's back fails the step, which rolls the cutover back and names the key; with the row
 * repaired the cutover passes and reports how many keys it checked; {@code complete} drops the record of changed
 * keys. Fence {@code read-only} and switch {@code command}, so no proxy is needed.
 */
class ReverifyCutoverTest {

    private static final String ROLE = "reverify_app";

    @TempDir
    Path dir;

    /** Engines, and catch-up's apply connections: one, and several (the drain then waits for every one). */
    static Stream<Arguments> enginesAndApplyThreads() {
        return Stream.of(Arguments.of("postgres", 1), Arguments.of("mariadb", 1), Arguments.of("postgres", 4),
                Arguments.of("mariadb", 3));
    }

    @ParameterizedTest(name = "{0}, {1} apply connection(s)")
    @MethodSource("enginesAndApplyThreads")
    void aRowCorruptedBehindCatchupFailsStepFourThenARepairedOnePasses(String engine, int applyThreads)
            throws Exception {
        MigrationFixture m = KeyedTables.fixture(dir, engine, "rv" + engine + applyThreads).applyThreads(applyThreads);
        String schema = KeyedTables.schema(m);
        // a budget no loaded machine runs out of: this test is about what step 4 finds, not how fast
        appendReadOnlyCommandCutover(m, "  reverify-budget: 5s\n");
        assertThat(m.run("copy")).as(m.output()).isZero();
        Process catchup = PostgresCutoverTest.startChild(m, "catchup");
        try {
            m.awaitCatchupApplying(catchup);
            // a change applied before the verification starts is covered by it: not re-checked
            try (Connection s = m.source()) {
                execute(s, "UPDATE acct SET v = 1 WHERE id = 90");
            }
            awaitTarget(m, "acct WHERE id = 90 AND v = 1", catchup);
            assertThat(m.run("verify")).as(m.output()).isZero();
            corruptWhenApplied(m, 6);
            try (Connection s = m.source()) {
                s.setAutoCommit(false);
                execute(s, "UPDATE acct SET v = v + 1 WHERE id IN (5, 6, 7)", "INSERT INTO acct VALUES (1001, 1, 'n')",
                        "INSERT INTO acct VALUES (1002, 1, 'n')", "DELETE FROM acct WHERE id = 8");
                s.commit();
                execute(s, "UPDATE pairs SET v = 'x' WHERE a = 1", "UPDATE pairs SET b = 'z2' WHERE a = 2",
                        "DELETE FROM pairs WHERE a = 3");
                s.commit();
            }
            awaitTarget(m, "acct WHERE id = 6 AND v = 1", catchup);
            awaitCaughtUp(m, catchup);
            assertThat(m.run("cutover")).as(m.output()).isEqualTo(1);
            assertThat(m.output()).contains("re-verify: 1 row(s) changed since verification execution")
                    .contains(schema + ".acct key 6 (columns differ: note)").contains("rolled back");
            assertSourceWritable(m);
            assertThat(catchup.isAlive()).as("the forward stream keeps running").isTrue();

            try (Connection t = m.target()) {
                if (KeyedTables.schema(m).equals("public")) {
                    execute(t, "DROP TRIGGER corrupt ON acct");
                }
                else {
                    execute(t, "DROP TRIGGER corrupt_INSERT", "DROP TRIGGER corrupt_UPDATE");
                }
                execute(t, "UPDATE acct SET note = 'a' WHERE id = 6");
            }
            awaitCaughtUp(m, catchup);
            assertThat(m.run("cutover")).as(m.output() + PostgresCutoverTest.log(m, "catchup")).isZero();
            // Of acct 5, 6, 7, 8, 1001, 1002, pairs (1,k1), (2,k2), (2,z2), (3,k3) (not acct 90) and the keys the
            // waits changed since, the continuous re-check covered most; step 4 checks all it left: N of N.
            assertThat(m.output()).containsPattern("4/9 re-verified (\\d+) of \\1 key\\(s\\) changed since verification "
                    + "execution");
            assertThat(catchup.waitFor(60, TimeUnit.SECONDS)).as("step 9 stops the forward stream").isTrue();
        }
        finally {
            catchup.destroy();
            catchup.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(m.run("complete")).as(m.output()).isZero();
        // (on MySQL both test databases share the server's livemigrate database: the source side drops it)
        assertThat(m.output()).contains("state table livemigrate.changed_keys");
        try (Connection t = m.target()) {
            assertThat(TableContents.count(t, "information_schema.tables WHERE table_schema = 'livemigrate'")).isZero();
        }
    }

    /**
     * More changed keys than a 1 ms budget can compare: the step records how far it got and the cutover goes on. With
     * {@code --skip-verify} there is no mark, so every key catch-up recorded counts; with {@code --no-reverify}
     * catch-up leaves all of them to step 4.
     */
    @Test
    void anExhaustedBudgetIsReportedAsPartialAndTheCutoverGoesOn() throws Exception {
        assertThat(cutoverAfterBulkInsert("rvpartial", "  reverify-budget: 1ms\n"))
                .containsPattern("re-verify partial: \\d+ of 5001 key\\(s\\) changed by catch-up")
                .contains("the full verification stands for the rest");
    }

    /** {@code reverify: full}: step 4 checks every changed key whatever the budget, and its record says N of N. */
    @Test
    void fullReverificationChecksEveryChangedKey() throws Exception {
        assertThat(cutoverAfterBulkInsert("rvfull", "  reverify-budget: 1ms\n  reverify: full\n"))
                .containsPattern("4/9 re-verified (500[1-9]) of \\1 key\\(s\\) changed by catch-up");
    }

    /**
     * 5,000 rows inserted after the copy, applied by a catch-up that leaves them all to step 4 ({@code --no-reverify}),
     * then {@code cutover --skip-verify} (no mark: every recorded key counts) and {@code complete}; the cutover's output.
     */
    private String cutoverAfterBulkInsert(String prefix, String cutoverSettings) throws Exception {
        MigrationFixture m = KeyedTables.fixture(dir, "postgres", prefix);
        appendReadOnlyCommandCutover(m, cutoverSettings);
        assertThat(m.run("copy")).as(m.output()).isZero();
        try (Connection s = m.source()) {
            execute(s, "INSERT INTO acct SELECT g, 0, 'bulk' FROM generate_series(1001, 6000) g");
        }
        Process catchup = PostgresCutoverTest.startChild(m, "catchup", "--no-reverify");
        String output;
        try {
            awaitTarget(m, "acct WHERE id = 6000", catchup);
            awaitCaughtUp(m, catchup);
            assertThat(m.run("cutover", "--skip-verify")).as(m.output()).isZero();
            output = m.output();
        }
        finally {
            catchup.destroy();
            catchup.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(m.run("complete")).as(m.output()).isZero();
        return output;
    }

    /**
     * A target row changed behind catch-up, at the moment catch-up applies the source's change to it: a trigger of
     * the target (never of the source) spoils its note, so catch-up's own write leaves it wrong. Corrupting it by
     * hand after the apply would race the continuous re-check, which may have found the row equal just before.
     */
    private static void corruptWhenApplied(MigrationFixture m, int id) throws Exception {
        try (Connection t = m.target()) {
            if (KeyedTables.schema(m).equals("public")) {
                execute(t, "CREATE FUNCTION corrupt() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                                + "IF NEW.id = " + id + " THEN NEW.note := 'corrupt'; END IF; RETURN NEW; END $$",
                        "CREATE TRIGGER corrupt BEFORE INSERT OR UPDATE ON acct FOR EACH ROW EXECUTE FUNCTION corrupt()",
                        // catch-up applies as a replica (session_replication_role): fire for it too
                        "ALTER TABLE acct ENABLE ALWAYS TRIGGER corrupt");
            }
            else {
                for (String event : new String[] {"INSERT", "UPDATE"}) {
                    execute(t, "CREATE TRIGGER corrupt_" + event + " BEFORE " + event + " ON acct FOR EACH ROW "
                            + "SET NEW.note = IF(NEW.id = " + id + ", 'corrupt', NEW.note)");
                }
            }
        }
    }

    /** fence: read-only for a role of its own (PostgreSQL needs one), switch: a command that succeeds. */
    private static void appendReadOnlyCommandCutover(MigrationFixture m, String extra) throws Exception {
        if (KeyedTables.schema(m).equals("public")) {
            try (Connection s = m.source()) {
                execute(s, "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + ROLE + "') THEN "
                        + "CREATE ROLE " + ROLE + "; END IF; END $$", "GRANT SELECT, INSERT, UPDATE ON acct TO " + ROLE);
            }
        }
        PostgresCutoverTest.appendCutover(m, "fence: read-only\n  switch: command\n  command: \"true\"\n"
                + "  app-roles: [" + ROLE + "]\n  max-pause: 10s\n  max-lag: 2s\n" + extra);
    }

    /** The cutover's preconditions read a lag under a second; catch-up measures lag when it applies something. */
    private static void awaitCaughtUp(MigrationFixture m, Process catchup) throws Exception {
        CatchupLag.awaitUnder(m, m.planName(), 1.0, catchup, () -> {
            try (Connection s = m.source()) {
                execute(s, "UPDATE acct SET v = v + 1 WHERE id = 5");
            }
        });
    }

    private static void awaitTarget(MigrationFixture m, String tableAndCondition, Process catchup) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline && catchup.isAlive()) {
            try (Connection t = m.target()) {
                if (TableContents.count(t, tableAndCondition) > 0) {
                    return;
                }
            }
            Thread.sleep(100);
        }
        throw new AssertionError("catch-up did not apply " + tableAndCondition + ":\n" + m.childLog("catchup"));
    }

    /** The fence was lifted: PostgreSQL, the role may write again; MySQL, read_only is off. */
    private static void assertSourceWritable(MigrationFixture m) throws SQLException {
        try (Connection s = m.source(); Statement st = s.createStatement()) {
            if (KeyedTables.schema(m).equals("public")) {
                try (ResultSet rs = st.executeQuery("SELECT has_table_privilege('" + ROLE + "', 'acct', 'INSERT')")) {
                    rs.next();
                    assertThat(rs.getBoolean(1)).as("the application's write privileges are back").isTrue();
                }
            }
            else {
                try (ResultSet rs = st.executeQuery("SELECT @@global.read_only")) {
                    rs.next();
                    assertThat(rs.getLong(1)).isZero();
                }
            }
        }
    }
}
