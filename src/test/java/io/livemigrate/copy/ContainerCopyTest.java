package io.livemigrate.copy;

import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TableContents;
import io.livemigrate.testing.TestServer;
import io.livemigrate.testing.TypeSamples;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.mysql.MySQLContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

import java.nio.file.Path;
import java.sql.Connection;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The type round trip on the server versions users run in production (PostgreSQL 16 and 17, MySQL 8.4), in
 * Testcontainers. Skipped where no Docker engine runs (as on the CI machine, which has the embedded servers).
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerCopyTest {

    @TempDir
    Path dir;

    @Test
    void postgres16() throws Exception {
        roundTripPostgres("postgres:16-alpine");
    }

    @Test
    void postgres17() throws Exception {
        roundTripPostgres("postgres:17-alpine");
    }

    @Test
    void mysql84() throws Exception {
        try (MySQLContainer mysql = new MySQLContainer("mysql:8.4").withUsername("root").withPassword("root")
                .withCommand("--binlog-format=ROW", "--binlog-row-image=FULL", "--local-infile=1")) {
            mysql.start();
            String base = "jdbc:mysql://" + mysql.getHost() + ":" + mysql.getMappedPort(3306) + "/";
            TestServer server = TestServer.of(base + "mysql", "root", "root", db -> base + db);
            MigrationFixture m = new MigrationFixture(server, dir, "tc_mysql");
            try (Connection s = m.source()) {
                execute(s, TypeSamples.mysql());
            }
            assertThat(m.run("copy")).as(m.output()).isZero();
            try (Connection s = m.source(); Connection t = m.target()) {
                assertThat(TableContents.mysql(t, m.targetDatabase() + ".everything", "id"))
                        .containsExactlyElementsOf(TableContents.mysql(s, m.sourceDatabase() + ".everything", "id"));
            }
        }
    }

    private void roundTripPostgres(String image) throws Exception {
        try (PostgreSQLContainer pg = new PostgreSQLContainer(image).withCommand("postgres", "-c", "wal_level=logical")) {
            pg.start();
            String base = "jdbc:postgresql://" + pg.getHost() + ":" + pg.getMappedPort(5432) + "/";
            TestServer server = TestServer.of(base + "postgres", pg.getUsername(), pg.getPassword(), db -> base + db);
            MigrationFixture m = new MigrationFixture(server, dir, "tc_pg");
            try (Connection s = m.source()) {
                execute(s, TypeSamples.postgres());
            }
            assertThat(m.run("copy")).as(m.output()).isZero();
            try (Connection s = m.source(); Connection t = m.target()) {
                assertThat(TableContents.postgres(t, "everything", "id"))
                        .containsExactlyElementsOf(TableContents.postgres(s, "everything", "id"));
            }
        }
    }
}
