package io.livemigrate.copy;

import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TestDatabases;
import io.livemigrate.testing.TestServer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * kill -9 of the copy while prepare-schema creates the target tables: the restarted copy skips the tables that already
 * exist, so what they were created without (key index, secondary index, unique constraint, foreign key) must have been
 * recorded durably before they were created. In the end every table has every index and constraint the source has.
 */
class PrepareSchemaKillTest {

    private static final int TABLES = 60;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"postgres", "mariadb"})
    void aCopyKilledWhileCreatingTablesStillBuildsEveryIndexAndConstraint(String engine) throws Exception {
        boolean pg = engine.equals("postgres");
        TestServer server = pg ? TestServer.of(TestDatabases.postgres()) : TestServer.of(TestDatabases.mariadb());
        MigrationFixture m = null;
        for (int attempt = 1; attempt <= 6 && m == null; attempt++) {
            MigrationFixture candidate = new MigrationFixture(server, Files.createDirectories(dir.resolve("a" + attempt)),
                    "prepkill");
            createTables(candidate);
            if (killedHalfWay(candidate)) {
                m = candidate;
            }
        }
        assertThat(m).as("a copy killed while some, not all, target tables existed").isNotNull();

        assertThat(m.run("copy")).as(m.output()).isZero();
        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
        try (Connection s = m.source(); Connection t = m.target()) {
            for (int i = 0; i < TABLES; i++) {
                assertThat(definitions(t, m, "t" + i, pg)).as("t" + i).isEqualTo(definitions(s, m, "t" + i, pg));
            }
        }
    }

    private static void createTables(MigrationFixture m) throws SQLException {
        try (Connection s = m.source()) {
            for (int i = 0; i < TABLES; i++) {
                execute(s, "CREATE TABLE t" + i + " (id int PRIMARY KEY, code varchar(20) NOT NULL, k int, ref int"
                                + (i == 0 ? "" : ", CONSTRAINT t" + i + "_ref FOREIGN KEY (ref) REFERENCES t" + (i - 1) + " (id)")
                                + ", CONSTRAINT t" + i + "_code UNIQUE (code))",
                        "CREATE INDEX t" + i + "_k ON t" + i + " (k)",
                        "INSERT INTO t" + i + " VALUES (1, 'a', 1, " + (i == 0 ? "NULL" : "1") + ")");
            }
        }
    }

    /** Starts the copy in a child JVM and kills it once some but not all target tables exist. */
    private static boolean killedHalfWay(MigrationFixture m) throws Exception {
        Process copy = m.start("copy");
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (copy.isAlive() && System.nanoTime() < deadline) {
                int n = targetTables(m);
                if (n >= 3 && n < TABLES) {
                    copy.destroyForcibly();
                    copy.waitFor(30, TimeUnit.SECONDS);
                    return targetTables(m) < TABLES;
                }
                Thread.sleep(2);
            }
            return false;
        }
        finally {
            copy.destroyForcibly();
            copy.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static int targetTables(MigrationFixture m) throws SQLException {
        try (Connection t = m.target(); PreparedStatement ps = t.prepareStatement(m.sourceUrl().startsWith("jdbc:postgresql")
                ? "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 't%'"
                : "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** The table's indexes and constraints, by name and kind, sorted. */
    private static List<String> definitions(Connection c, MigrationFixture m, String table, boolean pg)
            throws SQLException {
        String sql = pg
                ? "SELECT indexname || ' ' || regexp_replace(indexdef, '^.* USING ', '') FROM pg_indexes "
                + "WHERE schemaname = 'public' AND tablename = ? UNION ALL SELECT conname || ' ' || contype "
                + "FROM pg_constraint WHERE conrelid = ('public.' || ?)::regclass ORDER BY 1"
                : "SELECT CONCAT(INDEX_NAME, ' ', NON_UNIQUE, ' ', COLUMN_NAME) FROM information_schema.STATISTICS "
                + "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? UNION ALL SELECT CONCAT(CONSTRAINT_NAME, ' ', "
                + "CONSTRAINT_TYPE) FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = DATABASE() AND "
                + "TABLE_NAME = ? ORDER BY 1";
        List<String> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, table);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getString(1));
                }
            }
        }
        assertThat(rows).as(table + " has indexes on the side read").isNotEmpty();
        return rows;
    }
}
