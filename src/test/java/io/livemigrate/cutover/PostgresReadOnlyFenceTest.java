package io.livemigrate.cutover;

import io.livemigrate.demo.EmbeddedServer;
import io.livemigrate.testing.CatchupLag;
import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * PostgreSQL's {@code fence: read-only} holds: after a cutover, and after a revert on the other side, the application's
 * role cannot write to the old primary through a new session, with {@code BEGIN READ WRITE}, through a column grant,
 * or to a partition of a partitioned table directly;
 * it can still read. A prepared transaction at fence time refuses the cutover (its writes would commit past the fence).
 * {@code complete} gives the old primary its grants back.
 */
class PostgresReadOnlyFenceTest {

    private static final String APP = "fence_app";

    @TempDir
    Path dir;

    @Test
    void theOldPrimaryRefusesTheApplicationsWritesByEveryPathUntilRevertOrComplete() throws Exception {
        EmbeddedServer pg = TestDatabases.postgres();
        MigrationFixture m = new MigrationFixture(pg, dir, "fence");
        try (Connection s = m.source()) {
            execute(s, "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + APP + "') THEN "
                            + "CREATE ROLE " + APP + " LOGIN PASSWORD 'app'; END IF; END $$",
                    "CREATE TABLE acct (id int PRIMARY KEY, v int NOT NULL, note text)",
                    "INSERT INTO acct SELECT g, 0, 'n' FROM generate_series(1, 100) g",
                    "CREATE TABLE audit (id int PRIMARY KEY, what text)",
                    "CREATE TABLE ledger (id int PRIMARY KEY) PARTITION BY RANGE (id)",
                    "CREATE TABLE ledger_low PARTITION OF ledger FOR VALUES FROM (MINVALUE) TO (1000)",
                    "CREATE TABLE ledger_rest PARTITION OF ledger DEFAULT");
            grantApp(s);
        }
        PostgresCutoverTest.appendCutover(m, "fence: read-only\n  switch: command\n  command: \"true\"\n"
                + "  app-roles: [" + APP + "]\n  max-pause: 10s\n  max-lag: 2s\n");
        assertThat(m.run("copy")).as(m.output()).isZero();
        try (Connection t = m.target()) {
            grantApp(t);
        }
        assertWrites(m.sourceDatabase(), pg, true);

        // a prepared transaction at fence time: its insert would commit whenever someone commits it
        try (Connection app = app(pg, m.sourceDatabase())) {
            app.setAutoCommit(false);
            execute(app, "INSERT INTO acct VALUES (1000, 1, 'prepared')", "PREPARE TRANSACTION 'lm_fence_test'");
        }
        Process forward = PostgresCutoverTest.startChild(m, "catchup");
        try {
            awaitCaughtUp(m, m.planName(), forward, m::source);
            assertThat(m.run("cutover", "--skip-verify")).as(m.output()).isEqualTo(2);
            assertThat(m.output()).contains("refused").contains("prepared transaction(s) (lm_fence_test in "
                    + m.sourceDatabase() + ")").contains("COMMIT PREPARED or ROLLBACK PREPARED");
            assertWrites(m.sourceDatabase(), pg, true);
            try (Connection s = m.source()) {
                execute(s, "ROLLBACK PREPARED 'lm_fence_test'");
            }

            awaitCaughtUp(m, m.planName(), forward, m::source);
            assertThat(m.run("cutover", "--skip-verify")).as(m.output()).isZero();
            assertThat(forward.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        finally {
            forward.destroy();
            forward.waitFor(30, TimeUnit.SECONDS);
        }
        assertWrites(m.sourceDatabase(), pg, false);
        assertWrites(m.targetDatabase(), pg, true);

        Process reverse = PostgresCutoverTest.startChild(m, "catchup", "--reverse");
        try {
            awaitCaughtUp(m, m.planName() + "-reverse", reverse, m::target);
            assertThat(m.run("revert")).as(m.output()).isZero();
            assertThat(reverse.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        finally {
            reverse.destroy();
            reverse.waitFor(30, TimeUnit.SECONDS);
        }
        assertWrites(m.targetDatabase(), pg, false);
        assertWrites(m.sourceDatabase(), pg, true);

        assertThat(m.run("complete")).as(m.output()).isZero();
        assertThat(m.output()).contains("write grant(s) restored");
        assertWrites(m.targetDatabase(), pg, true);
        assertWrites(m.sourceDatabase(), pg, true);
    }

    private static void grantApp(Connection c) throws SQLException {
        execute(c, "GRANT SELECT, INSERT, DELETE ON acct TO " + APP, "GRANT UPDATE (v) ON acct TO " + APP,
                "GRANT SELECT, INSERT ON audit TO PUBLIC", "GRANT SELECT, INSERT ON ledger, ledger_rest TO " + APP);
    }

    /** Whether the application's role can write to {@code database} by every path; it can always read. */
    private static void assertWrites(String database, EmbeddedServer pg, boolean allowed) throws SQLException {
        String[][] attempts = {
                {"INSERT INTO acct VALUES (5000, 1, 'new session')"},
                {"BEGIN READ WRITE", "UPDATE acct SET v = v + 1 WHERE id = 1", "COMMIT"},
                {"BEGIN", "SET TRANSACTION READ WRITE", "DELETE FROM acct WHERE id = 5000", "COMMIT"},
                {"INSERT INTO audit SELECT coalesce(max(id), 0) + 1, 'through PUBLIC' FROM audit"},
                {"INSERT INTO ledger SELECT coalesce(max(id), 0) + 1 FROM ledger WHERE id < 999"},
                // a partition written to directly, bypassing its partitioned table's privileges
                {"INSERT INTO ledger_rest SELECT coalesce(max(id), 2000) + 1 FROM ledger_rest"}};
        for (String[] attempt : attempts) {
            try (Connection app = app(pg, database)) {
                if (allowed) {
                    execute(app, attempt);
                }
                else {
                    assertThatThrownBy(() -> execute(app, attempt)).as(String.join("; ", attempt) + " on " + database)
                            .isInstanceOf(SQLException.class).hasMessageContaining("permission denied");
                }
            }
        }
        try (Connection app = app(pg, database)) {
            execute(app, "SELECT count(*) FROM acct");
        }
    }

    private static Connection app(EmbeddedServer pg, String database) throws SQLException {
        return DriverManager.getConnection(pg.jdbcUrl(database), APP, "app");
    }

    private static void awaitCaughtUp(MigrationFixture m, String plan, Process catchup, CatchupLag.Side side)
            throws Exception {
        CatchupLag.awaitCaughtUp(m, plan, catchup, side, "UPDATE acct SET note = note WHERE id = 2");
    }
}
