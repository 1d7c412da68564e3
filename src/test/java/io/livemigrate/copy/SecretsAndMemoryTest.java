package io.livemigrate.copy;

import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TableContents;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

class SecretsAndMemoryTest {

    private static final String PASSWORD = "Pw-7f3a9c1e-never-stored";

    @TempDir
    Path dir;

    @Test
    void passwordNeverReachesTheJobRepositoryOrTheOutput() throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.mariadb(), dir, "secrets");
        try (Connection s = m.source()) {
            execute(s, "CREATE USER IF NOT EXISTS 'lm_secret'@'%' IDENTIFIED BY '" + PASSWORD + "'",
                    "GRANT ALL PRIVILEGES ON *.* TO 'lm_secret'@'%'",
                    "CREATE TABLE t (id int PRIMARY KEY, v varchar(10))", "INSERT INTO t VALUES (1, 'a'), (2, 'b')");
        }
        m.writePlan(m.plan(), m.sourceUrl(), m.targetUrl(), "lm_secret", PASSWORD);
        assertThat(m.run("copy")).as(m.output()).isZero();
        String output = m.output();
        assertThat(m.run("status", "--json")).isZero();
        output += m.output();
        assertThat(output).doesNotContain(PASSWORD);

        int cellsScanned = 0;
        try (Connection repo = DriverManager.getConnection(m.repositoryUrl(), "sa", "");
             Statement st = repo.createStatement();
             ResultSet tables = st.executeQuery("SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_SCHEMA = 'PUBLIC'")) {
            java.util.List<String> names = new java.util.ArrayList<>();
            while (tables.next()) {
                names.add(tables.getString(1));
            }
            assertThat(names).contains("BATCH_JOB_EXECUTION_PARAMS", "BATCH_STEP_EXECUTION_CONTEXT");
            for (String table : names) {
                try (Statement q = repo.createStatement(); ResultSet rs = q.executeQuery("SELECT * FROM " + table)) {
                    ResultSetMetaData md = rs.getMetaData();
                    while (rs.next()) {
                        for (int i = 1; i <= md.getColumnCount(); i++) {
                            String value = rs.getString(i);
                            cellsScanned++;
                            assertThat(value == null ? "" : value).as(table + "." + md.getColumnName(i))
                                    .doesNotContain(PASSWORD);
                        }
                    }
                }
            }
        }
        assertThat(cellsScanned).as("the repository was really read").isGreaterThan(50);
    }

    @Test
    void aTableFarLargerThanTheHeapCopiesWithFlatMemory() throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.postgres(), dir, "memory")
                .copyOptions("{ threads: 2, chunk-rows: 10000, partition-rows: 100000 }");
        try (Connection s = m.source()) {
            // About 200 MB of rows, four times the 48 MB heap the child JVM gets.
            execute(s, "CREATE TABLE wide (id bigint PRIMARY KEY, payload text)",
                    "INSERT INTO wide SELECT g, repeat(md5(g::text), 20) FROM generate_series(1, 300000) g", "ANALYZE wide");
        }
        Process child = m.start("copy", "-Xmx48m");
        assertThat(child.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as(Files.readString(dir.resolve("copy-child.log"))).isZero();
        try (Connection s = m.source(); Connection t = m.target()) {
            assertThat(TableContents.count(t, "wide")).isEqualTo(300_000);
            assertThat(TableContents.postgres(t, "wide", "id")).isEqualTo(TableContents.postgres(s, "wide", "id"));
        }
    }
}
