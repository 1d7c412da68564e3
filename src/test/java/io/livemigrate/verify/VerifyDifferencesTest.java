package io.livemigrate.verify;

import io.livemigrate.demo.EmbeddedServer;
import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Corruptions injected into single rows of a 60,000-row table (several partitions and chunks) are each found with
 * the right key and kind, a JSON value with another key order is equal, the report lands in the job repository,
 * {@code --repair} fixes the target, and a schema difference stops verification with exit 2.
 */
class VerifyDifferencesTest {

    private static final int ROWS = 60_000;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "mariadb"})
    void eachInjectedCorruptionIsFoundByKeyAndKindAndRepaired(String engine) throws Exception {
        boolean pg = engine.equals("postgresql");
        EmbeddedServer server = pg ? TestDatabases.postgres() : TestDatabases.mariadb();
        MigrationFixture m = new MigrationFixture(server, dir, "vdiff_" + engine)
                .copyOptions("{ threads: 2, chunk-rows: 5000, partition-rows: 20000 }");
        try (Connection s = m.source()) {
            if (pg) {
                execute(s, "CREATE TABLE big (id bigint PRIMARY KEY, name text NOT NULL, note text, ts timestamptz,"
                                + " b bytea, js json)",
                        "INSERT INTO big SELECT g, 'name ' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE 'n' || g END,"
                                + " timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second',"
                                + " decode(md5(g::text), 'hex'), json_build_object('a', g, 'b', 'x')"
                                + " FROM generate_series(1, " + ROWS + ") g",
                        "ANALYZE big");
            }
            else {
                execute(s, "CREATE TABLE big (id bigint PRIMARY KEY, name varchar(100) NOT NULL, note varchar(100),"
                                + " ts datetime(6), b blob, js json)",
                        "INSERT INTO big SELECT seq, concat('name ', seq), IF(seq % 3 = 0, NULL, concat('n', seq)),"
                                + " '2024-01-01 00:00:00' + INTERVAL seq SECOND, unhex(md5(seq)),"
                                + " json_object('a', seq, 'b', 'x') FROM seq_1_to_" + ROWS,
                        "ANALYZE TABLE big");
            }
        }
        assertThat(m.run("copy")).as(m.output()).isZero();
        assertThat(m.run("verify", "--chunk-rows", "7000")).as(m.output()).isZero();
        assertThat(m.output()).contains("EQUAL").containsPattern("big\\s+60,000\\s+60,000\\s+0\\s+0\\s+0");

        try (Connection t = m.target()) {
            execute(t,
                    "UPDATE big SET name = 'changed' WHERE id = 100",
                    "DELETE FROM big WHERE id = 200",
                    "INSERT INTO big (id, name) VALUES (70000, 'extra')",
                    "UPDATE big SET note = '' WHERE id = 300",
                    pg ? "UPDATE big SET name = name || ' ' WHERE id = 400"
                            : "UPDATE big SET name = concat(name, ' ') WHERE id = 400",
                    pg ? "UPDATE big SET ts = ts + interval '1 microsecond' WHERE id = 500"
                            : "UPDATE big SET ts = ts + INTERVAL 1 MICROSECOND WHERE id = 500",
                    pg ? "UPDATE big SET b = set_byte(b, 4, (get_byte(b, 4) + 1) % 256) WHERE id = 600"
                            : "UPDATE big SET b = INSERT(b, 5, 1, IF(SUBSTRING(b, 5, 1) = 'z', 'y', 'z')) WHERE id = 600",
                    "UPDATE big SET js = '{\"b\": \"x\",   \"a\": 700}' WHERE id = 700",
                    // Alone in their chunks, so only the row hash can find them: a NOT NULL column changed, and
                    // two rows' values swapped (the same chunk sum unless the hash binds each value to its row).
                    "UPDATE big SET name = 'changed far' WHERE id = 45000",
                    "UPDATE big SET name = CASE id WHEN 52000 THEN 'name 52001' ELSE 'name 52000' END"
                            + " WHERE id IN (52000, 52001)");
        }
        assertThat(m.run("verify", "--chunk-rows", "7000")).as(m.output()).isEqualTo(3);
        assertThat(m.output())
                .contains("key 100: columns differ: name")
                .contains("key 200: missing on target")
                .contains("key 70000: extra on target")
                .contains("key 300: columns differ: note")
                .contains("key 400: columns differ: name")
                .contains("key 500: columns differ: ts")
                .contains("key 600: columns differ: b")
                .contains("key 45000: columns differ: name")
                .contains("key 52000: columns differ: name")
                .contains("key 52001: columns differ: name")
                .doesNotContain("key 700:")
                .containsPattern("big\\s+60,000\\s+59,991\\s+1\\s+1\\s+8\\s")
                .contains("DIFFERENCES");

        try (Connection repo = DriverManager.getConnection(m.repositoryUrl(), "sa", "");
             Statement st = repo.createStatement();
             ResultSet rs = st.executeQuery("SELECT KIND, COUNT(*) FROM LIVEMIGRATE_VERIFY_DIFF d"
                     + " WHERE JOB_INSTANCE_ID = (SELECT MAX(JOB_INSTANCE_ID) FROM LIVEMIGRATE_VERIFY_TABLE)"
                     + " GROUP BY KIND ORDER BY KIND")) {
            StringBuilder kinds = new StringBuilder();
            while (rs.next()) {
                kinds.append(rs.getString(1)).append('=').append(rs.getInt(2)).append(' ');
            }
            assertThat(kinds.toString().trim()).isEqualTo("DIFFERENT=8 EXTRA=1 MISSING=1");
        }

        assertThat(m.run("verify", "--repair", "--chunk-rows", "7000")).as(m.output()).isZero();
        assertThat(m.output()).containsPattern("big\\s+60,000\\s+60,000\\s+0\\s+0\\s+0\\s+0\\s+10");
        assertThat(m.run("verify")).as(m.output()).isZero();

        assertThat(m.run("status")).isZero();
        assertThat(m.output()).contains("verify complete");

        try (Connection t = m.target()) {
            execute(t, "ALTER TABLE big DROP COLUMN note");
        }
        assertThat(m.run("verify")).as(m.output()).isEqualTo(2);
        assertThat(m.output()).contains("big: column note is missing on the target").contains("nothing was compared");
    }
}
