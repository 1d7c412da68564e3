package io.livemigrate.catchup;

import io.livemigrate.testing.BackgroundWriter;
import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TableContents;
import io.livemigrate.testing.TestDatabases;
import io.livemigrate.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The copy is not a snapshot: while it runs, an application swapping unique values between rows the copy reads at
 * different times, or deleting a parent and its children, leaves the target with two rows sharing a unique value or a
 * child without its parent, states the source never had. Unique constraints and foreign keys are therefore built by
 * catch-up once it has applied past the copy's end, never by the copy; and a cutover refuses until they exist.
 */
class DeferredConstraintsTest {

    private static final int ROWS = 20_000;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"postgres", "mariadb"})
    void statesTheCopyPassesThroughNeitherFailItNorCatchupAndTheConstraintsAreBuiltPastTheCopysEnd(String engine)
            throws Exception {
        boolean pg = engine.equals("postgres");
        MigrationFixture m = new MigrationFixture(pg ? TestServer.of(TestDatabases.postgres())
                : TestServer.of(TestDatabases.mariadb()), dir, "defer")
                .copyOptions("{ threads: 2, chunk-rows: 250, partition-rows: 5000 }");
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE parent (id int PRIMARY KEY, name varchar(20) NOT NULL)",
                    "CREATE TABLE child (id int PRIMARY KEY, parent_id int NOT NULL, "
                            + "CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES parent (id))",
                    "CREATE TABLE u (id int PRIMARY KEY, email varchar(40) NOT NULL, v int NOT NULL, "
                            + "CONSTRAINT u_email UNIQUE (email))");
            try (PreparedStatement u = s.prepareStatement("INSERT INTO u VALUES (?, ?, 0)");
                 PreparedStatement p = s.prepareStatement("INSERT INTO parent VALUES (?, 'p')");
                 PreparedStatement c = s.prepareStatement("INSERT INTO child VALUES (?, ?)")) {
                for (int i = 1; i <= ROWS; i++) {
                    u.setInt(1, i);
                    u.setString(2, "e" + i);
                    u.addBatch();
                    p.setInt(1, i);
                    p.addBatch();
                    c.setInt(1, i);
                    c.setInt(2, i);
                    c.addBatch();
                }
                u.executeBatch();
                p.executeBatch();
                c.executeBatch();
            }
        }
        long orphansOnTarget;
        long duplicatesOnTarget;
        try (BackgroundWriter writer = BackgroundWriter.start("writer", m::source, new Swaps(11))) {
            writer.awaitOperations(20);
            assertThat(m.run("copy")).as(m.output()).isZero();
            try (Connection t = m.target()) {
                duplicatesOnTarget = count(t, "SELECT count(*) FROM (SELECT email FROM u GROUP BY email "
                        + "HAVING count(*) > 1) d");
                orphansOnTarget = count(t, "SELECT count(*) FROM child c WHERE NOT EXISTS "
                        + "(SELECT 1 FROM parent p WHERE p.id = c.parent_id)");
                assertThat(constraints(t, m, pg)).as("nothing that can reject a state is built by the copy").isZero();
            }
            writer.awaitOperations(writer.operations() + 50);
        }
        // The scenario the copy cannot avoid really happened (otherwise this test would prove nothing).
        assertThat(duplicatesOnTarget + orphansOnTarget).as("states the source never had, on the target").isPositive();

        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
        assertThat(m.output()).contains("built 2 unique constraint(s) and foreign key(s)");
        try (Connection s = m.source(); Connection t = m.target()) {
            assertThat(constraints(t, m, pg)).isEqualTo(2);
            for (String table : new String[] {"u", "parent", "child"}) {
                assertThat(contents(t, m, table, pg)).as(table).isEqualTo(contents(s, m, table, pg));
            }
        }
        // Built once: a later run finds nothing left to build.
        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
        assertThat(m.output()).doesNotContain("unique constraint(s) and foreign key(s) in");
    }

    @Test
    void cutoverRefusesWhileTheDeferredConstraintsAreNotBuilt() throws Exception {
        MigrationFixture m = new MigrationFixture(TestServer.of(TestDatabases.postgres()), dir, "deferrefuse");
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE u (id int PRIMARY KEY, email text NOT NULL UNIQUE)",
                    "INSERT INTO u SELECT g, 'e' || g FROM generate_series(1, 100) g");
        }
        assertThat(m.run("copy")).as(m.output()).isZero();
        m.appendToPlan("cutover:\n  fence: read-only\n  switch: command\n  command: \"true\"\n"
                + "  app-roles: [nobody_app]\n  max-pause: 10s\n  max-lag: 2s\n");
        assertThat(m.run("cutover", "--skip-verify")).as(m.output()).isEqualTo(2);
        assertThat(m.output()).contains("1 unique constraint(s) and foreign key(s) the copy deferred are not built")
                .contains("public.u");
    }

    private static long constraints(Connection t, MigrationFixture m, boolean pg) throws SQLException {
        return pg ? count(t, "SELECT count(*) FROM pg_constraint WHERE contype IN ('u', 'f') "
                + "AND conrelid IN ('u'::regclass, 'child'::regclass)")
                : count(t, "SELECT count(*) FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = '"
                + m.targetDatabase() + "' AND CONSTRAINT_TYPE IN ('UNIQUE', 'FOREIGN KEY')");
    }

    private static Object contents(Connection c, MigrationFixture m, String table, boolean pg) throws SQLException {
        return pg ? TableContents.postgres(c, table, "id")
                : TableContents.mysql(c, c.getCatalog() + "." + table, "id");
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /**
     * The application: swaps the unique emails of a row the copy reads early and one it reads late (through a free
     * value, as the constraint requires), and deletes a child and its parent, then inserts both anew.
     */
    private static final class Swaps implements BackgroundWriter.Operation {

        private final Random r;
        private int next = ROWS + 1;

        Swaps(long seed) {
            r = new Random(seed);
        }

        @Override
        public void run(Connection c) throws SQLException {
            int low = 1 + r.nextInt(ROWS / 10);
            int high = ROWS - r.nextInt(ROWS / 10);
            swapEmails(c, low, high);
            int gone = 1 + r.nextInt(ROWS);
            execute(c, "DELETE FROM child WHERE parent_id = " + gone, "DELETE FROM parent WHERE id = " + gone,
                    "INSERT INTO parent VALUES (" + next + ", 'n')", "INSERT INTO child VALUES (" + next
                            + ", " + next + ")");
            next++;
        }

        private static void swapEmails(Connection c, int a, int b) throws SQLException {
            String ea;
            String eb;
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT id, email FROM u WHERE id IN (" + a + ", " + b + ") ORDER BY id")) {
                rs.next();
                ea = rs.getString(2);
                rs.next();
                eb = rs.getString(2);
            }
            execute(c, "UPDATE u SET email = 'swap', v = v + 1 WHERE id = " + a,
                    "UPDATE u SET email = '" + ea + "', v = v + 1 WHERE id = " + b,
                    "UPDATE u SET email = '" + eb + "' WHERE id = " + a);
            c.commit();
        }
    }
}
