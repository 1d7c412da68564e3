package io.livemigrate.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.livemigrate.demo.EmbeddedMariaDbServer;
import io.livemigrate.demo.EmbeddedServer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.PGReplicationStream;

/** The embedded servers work as change-capture sources, and hand every test its own database. */
class TestDatabasesTest {

    @Test
    void postgresHasLogicalWalAndStoresARow() throws SQLException {
        EmbeddedServer pg = TestDatabases.postgres();
        String url = pg.newDatabase("smoke");

        try (Connection c = DriverManager.getConnection(url, pg.user(), pg.password())) {
            assertThat(queryString(c, "SHOW wal_level")).isEqualTo("logical");
            assertRoundTrip(c);
        }
    }

    @Test
    void mariaDbHasRowBinlogAndStoresARow() throws SQLException {
        EmbeddedServer mariaDb = TestDatabases.mariadb();
        String url = mariaDb.newDatabase("smoke");

        try (Connection c = DriverManager.getConnection(url, mariaDb.user(), mariaDb.password())) {
            assertThat(queryString(c, "SELECT @@log_bin")).isEqualTo("1");
            assertThat(queryString(c, "SELECT @@binlog_format")).isEqualTo("ROW");
            assertThat(queryString(c, "SELECT @@binlog_row_image")).isEqualTo("FULL");
            assertRoundTrip(c);
        }
    }

    @Test
    void everyCallGetsItsOwnDatabase() {
        String first = TestDatabases.postgres().newDatabase("same");
        String second = TestDatabases.postgres().newDatabase("same");

        assertThat(first).startsWith("jdbc:postgresql://127.0.0.1:").isNotEqualTo(second);
        assertThat(TestDatabases.mariadb().newDatabase("same")).startsWith("jdbc:mysql://127.0.0.1:");
    }

    @Test
    void mariaDbChecksPasswords() throws SQLException {
        String url = TestDatabases.mariadb().newDatabase("auth");

        try (Connection c = DriverManager.getConnection(
                url, EmbeddedMariaDbServer.APP_USER, EmbeddedMariaDbServer.APP_PASSWORD)) {
            assertThat(queryString(c, "SELECT CURRENT_USER()")).isEqualTo("livemigrate@%");
        }
        assertThatThrownBy(() -> DriverManager.getConnection(url, EmbeddedMariaDbServer.APP_USER, "wrong"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("Access denied");
    }

    /** pgoutput through PgJDBC's replication API, as catch-up will use it: one insert arrives. */
    @Test
    void postgresStreamsAnInsertThroughPgoutput() throws Exception {
        EmbeddedServer pg = TestDatabases.postgres();
        String url = pg.newDatabase("pgoutput");
        String slot = EmbeddedServer.databaseOf(url) + "_slot";
        try (Connection c = DriverManager.getConnection(url, pg.user(), pg.password());
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE t (id int PRIMARY KEY, v text)");
            s.execute("CREATE PUBLICATION pub FOR TABLE t");
            s.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
            s.execute("INSERT INTO t VALUES (1, 'grüße 😀')");
        }

        Properties props = new Properties();
        PGProperty.USER.set(props, pg.user());
        PGProperty.PASSWORD.set(props, pg.password());
        PGProperty.REPLICATION.set(props, "database");
        PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
        try (Connection replication = DriverManager.getConnection(url, props)) {
            PGReplicationStream stream = replication.unwrap(PGConnection.class).getReplicationAPI()
                    .replicationStream().logical()
                    .withSlotName(slot)
                    .withSlotOption("proto_version", "1")
                    .withSlotOption("publication_names", "pub")
                    .start();
            assertThat(readUntilInsert(stream)).contains("grüße 😀");
            stream.close();
        }
        try (Connection c = DriverManager.getConnection(url, pg.user(), pg.password());
                Statement s = c.createStatement()) {
            s.execute("SELECT pg_drop_replication_slot('" + slot + "')");
        }
    }

    private static String readUntilInsert(PGReplicationStream stream) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            ByteBuffer message = stream.readPending();
            if (message == null) {
                Thread.sleep(10);
            } else if (message.get(message.position()) == 'I') {
                return new String(message.array(), message.arrayOffset() + message.position(),
                        message.remaining(), StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError("no insert message within 30 s");
    }

    private static void assertRoundTrip(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE greeting (id int PRIMARY KEY, text varchar(50))");
            s.execute("INSERT INTO greeting VALUES (1, 'héllo 😀')");
        }
        assertThat(queryString(c, "SELECT text FROM greeting WHERE id = 1")).isEqualTo("héllo 😀");
    }

    private static String queryString(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            assertThat(rs.next()).as("a row from %s", sql).isTrue();
            return rs.getString(1);
        }
    }
}
