package io.livemigrate.rehearse;

import io.livemigrate.demo.EmbeddedServer;
import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * rehearse against real servers with statement logging on and catch-up running: bad logs are refused with exit 2
 * and nothing written; a clean replay exits 0 with every comparable fingerprint compared, writes, locks and
 * unparseable statements counted as skipped by reason; parameterised statements (PostgreSQL's extended protocol)
 * replay with their parameters; a row changed on the target behind catch-up's back is reported as a result difference
 * of the queries that read it, with the fingerprint and the row, exit 3.
 */
class RehearseTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "mariadb"})
    void replaysAtMatchedPositionsAndReportsATargetRowChangedBehindCatchup(String engine) throws Exception {
        boolean pg = engine.equals("postgresql");
        EmbeddedServer server = pg ? TestDatabases.postgres() : TestDatabases.mariadb();
        MigrationFixture m = new MigrationFixture(server, dir, "rehearse_" + engine);
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE items (id int PRIMARY KEY, name varchar(100) NOT NULL, price numeric(10,2),"
                    + " tag varchar(20))", "CREATE INDEX items_tag ON items (tag)");
            try (PreparedStatement ps = s.prepareStatement("INSERT INTO items VALUES (?, ?, ?, ?)")) {
                for (int i = 1; i <= 200; i++) {
                    ps.setInt(1, i);
                    ps.setString(2, "item " + i);
                    ps.setBigDecimal(3, new java.math.BigDecimal(i + ".50"));
                    ps.setString(4, "t" + i % 5);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        assertThat(m.run("copy")).as(m.output()).isZero();

        Path otherEngineLog = dir.resolve("other.log");
        Files.writeString(otherEngineLog, pg
                ? "# Time: 241204 18:50:29\n# User@Host: app[app] @ localhost []\n# Query_time: 0.000100  Lock_time: 0.0"
                + "  Rows_sent: 1  Rows_examined: 1\nSELECT 1;\n"
                : "2026-12-04 18:50:29.123 UTC,\"app\",\"shop\",42,\"127.0.0.1:5000\",\"6750a\",1,\"SELECT\","
                + "2026-12-04 18:50:29 UTC,3/7,0,LOG,00000,\"duration: 0.100 ms  statement: SELECT 1\",,,,,,,,,\"psql\","
                + "\"client backend\",,0\n");
        Path unknown = dir.resolve("unknown.txt");
        Files.writeString(unknown, "hello\nworld\n");
        assertThat(m.run("rehearse", "--log", otherEngineLog.toString())).as(m.output()).isEqualTo(2);
        assertThat(m.output()).contains(pg ? "MySQL/MariaDB slow log" : "PostgreSQL csvlog")
                .contains("source is " + (pg ? "PostgreSQL" : "MySQL/MariaDB"));
        assertThat(m.run("rehearse", "--log", dir.resolve("missing.log").toString())).isEqualTo(2);
        assertThat(m.output()).contains("no such file");
        assertThat(m.run("rehearse", "--log", unknown.toString())).isEqualTo(2);
        assertThat(m.output()).contains("is not a");
        assertThat(rehearseInstances(m)).as("bad input writes nothing").isZero();

        Process catchup = m.start("catchup");
        try {
            m.awaitCatchupApplying(catchup);
            RehearsalWorkload app = RehearsalWorkload.start(m, pg, false);
            try (Connection c = app.session(); Statement st = c.createStatement()) {
                st.execute(pg ? "SET search_path TO public" : "SET SESSION time_zone = '+02:00'");
                for (int i = 1; i <= 20; i++) {
                    st.executeQuery("SELECT name, price FROM items WHERE id = " + i).close();
                }
                // PostgreSQL: the extended protocol, its values in the DETAIL line
                try (PreparedStatement ps = c.prepareStatement("SELECT id, name FROM items WHERE tag = ? ORDER BY id")) {
                    for (int i = 0; i < 10; i++) {
                        ps.setString(1, "t" + i % 5);
                        ps.executeQuery().close();
                    }
                }
                st.executeQuery("SELECT count(*), sum(price) FROM items").close();
                st.executeQuery("SELECT now()").close();
                st.executeQuery("SELECT * FROM items WHERE id = 1 FOR UPDATE").close();
                st.executeUpdate("UPDATE items SET price = price WHERE id = 3");
                if (pg) {
                    st.executeQuery("SELECT 1 FROM items WHERE id OPERATOR(pg_catalog.=) 1").close();
                }
                else {
                    st.execute("HANDLER items OPEN");
                    st.execute("HANDLER items CLOSE");
                }
                app.flush(c, "end of workload 1");
            }
            finally {
                app.stop();
            }

            assertThat(m.run("rehearse", "--log", app.log().toString(), "--sessions", "2")).as(m.output()).isZero();
            assertThat(m.output()).contains("catch-up is running").contains("CLEAN")
                    .contains("skipped: writes data").contains("skipped: takes locks (FOR UPDATE/SHARE)")
                    .contains("skipped: does not parse");
            try (Connection repo = repository(m); Statement st = repo.createStatement();
                 ResultSet rs = st.executeQuery("SELECT FINGERPRINT, EXECUTIONS, COMPARED, NOT_COMPARED_REASON,"
                         + " RESULT_DIFFS, ERROR_DIFFS FROM LIVEMIGRATE_REHEARSAL ORDER BY FINGERPRINT")) {
                java.util.Map<String, long[]> rows = new java.util.HashMap<>();
                StringBuilder all = new StringBuilder();
                while (rs.next()) {
                    rows.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3), rs.getLong(5), rs.getLong(6)});
                    all.append(rs.getString(1)).append(' ').append(rs.getLong(2)).append('/').append(rs.getLong(3))
                            .append(' ').append(rs.getString(4)).append('\n');
                }
                assertThat(rows.get("select name, price from items where id = ?")).as(all.toString())
                        .containsExactly(20, 20, 0, 0);
                assertThat(rows.get("select id, name from items where tag = ? order by id")).as(all.toString())
                        .containsExactly(10, 10, 0, 0);
                assertThat(rows.get("select count(*), sum(price) from items")).as(all.toString())
                        .containsExactly(1, 1, 0, 0);
                assertThat(rows.get("select now()")).as("replayed, not compared: " + all).containsExactly(1, 0, 0, 0);
            }

            try (Connection t = m.target()) {
                execute(t, "UPDATE items SET name = 'changed on target' WHERE id = 7");
            }
            assertThat(m.run("rehearse", "--log", app.log().toString(), "--sessions", "2")).as(m.output())
                    .isEqualTo(3);
            assertThat(m.output()).contains("DIFFERENCES")
                    .contains("fingerprint: select name, price from items where id = ?")
                    .contains("fingerprint: select id, name from items where tag = ? order by id")
                    .contains("'changed on target'")
                    .contains("'item 7'");
        }
        finally {
            catchup.destroy();
            catchup.waitFor();
        }
    }

    static long rehearseInstances(MigrationFixture m) throws Exception {
        try (Connection repo = repository(m); Statement st = repo.createStatement();
             ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM BATCH_JOB_INSTANCE WHERE JOB_NAME = 'rehearse'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static Connection repository(MigrationFixture m) throws Exception {
        return DriverManager.getConnection(m.repositoryUrl(), "sa", "");
    }
}
