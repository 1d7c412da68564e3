package io.livemigrate.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.livemigrate.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's application follows its config file from one database to another, and its check of a primary names
 * what the primary lacks of the writes it committed: a customer it inserted, a balance it set. Without this the
 * demo's "every committed write is on the primary" could be a check that never fails.
 */
class DemoApplicationTest {

    private static final DemoData.Counts SMALL = new DemoData.Counts(300, 100, 100, 100);
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void followsItsConfigAndNamesCommittedWritesAPrimaryLacks() throws Exception {
        EmbeddedServer pg = TestDatabases.postgres();
        String first = seeded(pg);
        String second = seeded(pg);
        try (Connection c = pg.connect(EmbeddedServer.databaseOf(second)); Statement st = c.createStatement()) {
            st.execute("ALTER TABLE customers ALTER COLUMN id RESTART WITH 100000"); // keys apart from the first's
        }
        Path config = dir.resolve("app.conf");
        Files.writeString(config, first);

        DemoApplication app = new DemoApplication(config, "demo_app", "demo-app", SMALL.customers());
        try (app) {
            app.awaitWrites(first, 20, PATIENCE);
            Files.writeString(dir.resolve("app.conf.tmp"), second);
            Files.move(dir.resolve("app.conf.tmp"), config, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            app.awaitWrites(second, 20, PATIENCE);
        }

        try (Connection c = pg.connect(EmbeddedServer.databaseOf(second))) {
            // the first database's writes were never carried here
            assertThat(app.missingOn(c, 5)).hasSize(5).allMatch(line -> line.startsWith("customer "));
        }
        try (Connection c = pg.connect(EmbeddedServer.databaseOf(first)); Statement st = c.createStatement()) {
            carry(c, pg.connect(EmbeddedServer.databaseOf(second)));
            assertThat(app.missingOn(c, 5)).as("everything committed on either side is here now").isEmpty();
            st.executeUpdate("DELETE FROM customers WHERE id = (SELECT min(id) FROM customers WHERE email LIKE 'app-%')");
            st.executeUpdate("UPDATE customers SET balance = 0 WHERE id = (SELECT min(id) FROM customers"
                    + " WHERE balance >= " + DemoApplication.BALANCE_BASE + " AND id <= " + SMALL.customers() + ")");
            assertThat(app.missingOn(c, 5)).hasSize(2).anyMatch(line -> line.endsWith("(inserted) is missing"))
                    .anyMatch(line -> line.contains("has balance 0.00, not the"));
        }
    }

    /** A database with the demo shop and the application's login, by URL. */
    private static String seeded(EmbeddedServer pg) throws Exception {
        String url = pg.newDatabase("app");
        PostgresDemoData data = new PostgresDemoData();
        try (Connection c = pg.connect(EmbeddedServer.databaseOf(url)); Statement st = c.createStatement()) {
            data.seed(c, SMALL);
            for (String sql : data.applicationUserSql("demo_app", "demo-app")) {
                st.execute(sql);
            }
        }
        return url;
    }

    /**
     * What a cutover does to the rows: the second database's app customers and balances onto the first. Balances
     * written later carry a larger number, so the larger of the two is the last one.
     */
    private static void carry(Connection into, Connection from) throws Exception {
        try (from; Statement read = from.createStatement();
             var rows = read.executeQuery("SELECT id, email, name, balance FROM customers WHERE email LIKE 'app-%'"
                     + " OR balance >= " + DemoApplication.BALANCE_BASE);
             var upsert = into.prepareStatement("INSERT INTO customers (id, email, name, created_at, balance) "
                     + "VALUES (?, ?, ?, now(), ?) ON CONFLICT (id) DO UPDATE SET balance = "
                     + "greatest(customers.balance, excluded.balance)")) {
            while (rows.next()) {
                upsert.setLong(1, rows.getLong(1));
                upsert.setString(2, rows.getString(2));
                upsert.setString(3, rows.getString(3));
                upsert.setBigDecimal(4, rows.getBigDecimal(4));
                upsert.executeUpdate();
            }
        }
    }
}
