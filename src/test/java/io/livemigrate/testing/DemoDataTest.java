package io.livemigrate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.livemigrate.demo.DemoData;
import io.livemigrate.demo.EmbeddedServer;
import io.livemigrate.demo.MySqlDemoData;
import io.livemigrate.demo.PostgresDemoData;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A small shop seeds the same way on both engines, edge-case rows included. */
class DemoDataTest {

    /** 1,000 events reach the two large payloads (ids 500 and 1000). */
    private static final DemoData.Counts SMALL = new DemoData.Counts(300, 1_100, 400, 1_000);

    @Test
    void seedsPostgres() throws SQLException {
        DemoData.Result result = seed(TestDatabases.postgres(), new PostgresDemoData());

        assertExpectedRows(result);
    }

    @Test
    void seedsMariaDb() throws SQLException {
        DemoData.Result result = seed(TestDatabases.mariadb(), new MySqlDemoData());

        assertExpectedRows(result);
    }

    private static DemoData.Result seed(EmbeddedServer server, DemoData data) throws SQLException {
        String url = server.newDatabase("demo");
        try (Connection c = DriverManager.getConnection(url, server.user(), server.password())) {
            DemoData.Result result = data.seed(c, SMALL);
            assertThat(count(c, "SELECT count(*) FROM events WHERE length(payload) > 100000")).isEqualTo(2);
            assertThat(count(c, "SELECT count(*) FROM events WHERE payload IS NULL")).isPositive();
            assertThat(count(c, "SELECT count(*) FROM customers WHERE name LIKE '%🎉'")).isEqualTo(6);
            assertThat(count(c, "SELECT count(*) FROM products WHERE sku = 'ÄRM-00001009'")).isEqualTo(1);
            // the demo's "application" writes after the copy: the same SQL on both engines
            long events = count(c, "SELECT count(*) FROM events");
            assertThat(DemoData.changeWhileLive(c)).matches("[0-9,]+ customer balances and [0-9,]+ prices updated, "
                    + "[0-9,]+ events inserted and [0-9,]+ deleted");
            long replayed = count(c, "SELECT count(*) FROM events WHERE kind = 'replayed'");
            assertThat(replayed).isPositive();
            assertThat(count(c, "SELECT count(*) FROM events WHERE id % 50 = 0")).isZero();
            assertThat(count(c, "SELECT count(*) FROM events")).isEqualTo(events + replayed - events / 50);
            return result;
        }
    }

    private static void assertExpectedRows(DemoData.Result result) {
        // order_items: orders have 1 + (o % 6) lines.
        long items = 0;
        for (int o = 1; o <= SMALL.orders(); o++) {
            items += 1 + o % 6;
        }
        assertThat(result.rows()).isEqualTo(Map.of("customers", 300L, "products", 1_100L, "orders", 400L,
                "order_items", items, "events", 1_000L));
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
