package io.livemigrate.engine.mysql;

import io.livemigrate.engine.ChangeEvent;
import io.livemigrate.engine.BinlogPosition;
import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.Column;
import io.livemigrate.engine.ColumnValue;
import io.livemigrate.engine.Endpoint;
import io.livemigrate.engine.RowChange;
import io.livemigrate.engine.TableInfo;
import io.livemigrate.testing.TypeSamples;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/** The binlog stream against the embedded MariaDB: exact text per column kind, streaming, stop conditions. */
class MySqlChangeStreamTest {

    private static final Duration WAIT = BinlogTestDatabase.WAIT;

    private final BinlogTestDatabase binlog = new BinlogTestDatabase("binlog");
    private final String db = binlog.db;

    /** Every change up to the next Commit; Begin first. */
    private static List<RowChange> transaction(MySqlChangeStream stream) throws SQLException {
        List<RowChange> changes = new ArrayList<>();
        boolean begun = false;
        while (true) {
            ChangeEvent e = stream.poll(WAIT);
            assertThat(e).as("an event within " + WAIT).isNotNull();
            assertThat(e).isNotInstanceOf(ChangeEvent.Stop.class);
            if (e instanceof ChangeEvent.Begin) {
                assertThat(begun).as("one Begin per transaction").isFalse();
                begun = true;
            } else if (e instanceof ChangeEvent.Change c) {
                assertThat(begun).as("Begin before changes").isTrue();
                changes.add(c.change());
            } else if (e instanceof ChangeEvent.Commit) {
                assertThat(begun).isTrue();
                if (!changes.isEmpty()) {
                    return changes;
                }
                begun = false; // an empty transaction passed on for the position
            }
        }
    }

    /** The copy's exact text of each copied column ({@code keyAsText}), by key. */
    private static Map<String, Map<String, ColumnValue>> expected(Connection c, TableInfo t) throws SQLException {
        MySqlDialect d = MySqlDialect.INSTANCE;
        List<Column> cols = t.copiedColumns();
        String select = cols.stream().map(d::keyAsText).collect(Collectors.joining(", "));
        Map<String, Map<String, ColumnValue>> rows = new LinkedHashMap<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT " + select + " FROM " + d.quote(t.id().schema()) + "." + d.quote(t.id().name()))) {
            while (rs.next()) {
                Map<String, ColumnValue> row = new LinkedHashMap<>();
                for (int i = 0; i < cols.size(); i++) {
                    row.put(cols.get(i).name(), ColumnValue.of(rs.getString(i + 1)));
                }
                rows.put(row.get(t.keyColumns().get(0)).text(), row);
            }
        }
        return rows;
    }

    private static void assertExact(Connection c, TableInfo t, Map<String, ColumnValue> actual,
                                    Map<String, ColumnValue> expected) throws SQLException {
        assertThat(actual.keySet()).as("copied columns, generated ones left out")
                .containsExactlyElementsOf(expected.keySet());
        String key = expected.get(t.keyColumns().get(0)).text();
        for (Map.Entry<String, ColumnValue> e : expected.entrySet()) {
            Column col = t.column(e.getKey());
            ColumnValue got = actual.get(e.getKey());
            MySqlColumnType kind = MySqlColumnType.of(col);
            boolean floating = kind == MySqlColumnType.FLOAT || col.type().toLowerCase().startsWith("double");
            if (floating && !got.isNull() && !e.getValue().isNull()) {
                assertThat(new BigDecimal(got.text())).as(key + "." + col.name() + " " + got)
                        .isEqualByComparingTo(new BigDecimal(e.getValue().text()));
            } else {
                assertThat(got).as(key + "." + col.name()).isEqualTo(e.getValue());
            }
            // and the applier's parameter reads it back to the stored value
            MySqlDialect d = MySqlDialect.INSTANCE;
            try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + d.quote(t.id().name())
                    + " WHERE " + d.quote(t.keyColumns().get(0)) + " = ? AND " + d.quote(col.name()) + " <=> "
                    + (got.isNull() ? "NULL" : d.keyParameter(col)))) {
                ps.setString(1, key);
                if (!got.isNull()) {
                    ps.setString(2, got.text());
                }
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    assertThat(rs.getInt(1)).as("read back " + key + "." + col.name() + " " + got).isEqualTo(1);
                }
            }
        }
    }

    @Test
    void everyColumnKindArrivesAsTheCopysExactTextAndReadsBack() throws Exception {
        String[] samples = TypeSamples.mysql();
        try (Connection c = binlog.connect()) {
            execute(c, samples[0], samples[1], "SET SESSION time_zone = '+00:00'",
                    """
                    CREATE TABLE extras (id int PRIMARY KEY, t1 time(1), t3 time(3), t0 time, dt3 datetime(3),
                      dt0 datetime, ts0 timestamp NULL DEFAULT NULL, f float, d double, l1 char(5) CHARACTER SET latin1,
                      bn binary(8), e enum('1','2','x'), bt bit(13), dn decimal(10,0), du decimal(20,4) unsigned,
                      tt tinytext CHARACTER SET latin1, mb mediumblob, js json)""");
            TableInfo everything = binlog.describe(c, "everything");
            TableInfo extras = binlog.describe(c, "extras");
            try (MySqlChangeStream stream = binlog.open(c, List.of(everything, extras))) {
                execute(c, samples[2]);
                Map<String, Map<String, ColumnValue>> rows = expected(c, everything);
                List<RowChange> inserts = transaction(stream);
                assertThat(inserts).hasSize(4).allMatch(r -> r.kind() == RowChange.Kind.INSERT);
                for (RowChange r : inserts) {
                    assertExact(c, everything, r.after(), rows.get(r.after().get("id").text()));
                }

                execute(c, """
                        INSERT INTO extras VALUES
                        (1, '-00:00:01.5', '-12:34:56.789', '-838:59:59', '2024-02-29 13:14:15.123', '1000-01-01 00:00:00',
                         '2038-01-19 03:14:07', 1.1, 0.1, X'E9818D9DFF', X'0102', '2', b'1010101010101', 42, 12345678901234.5678,
                         X'C0FF', X'00', '{"k": [1, {"n": null}]}'),
                        (2, '00:00:00.1', '-00:00:00.001', '00:00:00', '0000-00-00 00:00:00', '9999-12-31 23:59:59',
                         '1970-01-01 00:00:01', -1e-30, 1e300, 'a ', X'', '', b'0', -9999999999, 0, '', X'', '"s"'),
                        (3, NULL, NULL, NULL, NULL, NULL, NULL, 16777217, 123456789012345678, NULL, NULL, 'x', NULL, 0,
                         NULL, NULL, NULL, NULL)""");
                Map<String, Map<String, ColumnValue>> extraRows = expected(c, extras);
                for (RowChange r : transaction(stream)) {
                    assertExact(c, extras, r.after(), extraRows.get(r.after().get("id").text()));
                }

                // an update that changes the key, and one that does not, in one transaction; then a delete
                execute(c, "START TRANSACTION",
                        "UPDATE everything SET id = 10, c = 'moved', biu = 1 WHERE id = 1",
                        "UPDATE everything SET tm = '-00:00:00.5', ts = '2001-02-03 04:05:06.7' WHERE id = 2",
                        "COMMIT");
                rows = expected(c, everything);
                List<RowChange> updates = transaction(stream);
                assertThat(updates).hasSize(2).allMatch(r -> r.kind() == RowChange.Kind.UPDATE);
                // before images are whole: foreign-key cascades are repeated from the parent's referenced columns
                assertThat(updates.get(0).before()).containsEntry("id", ColumnValue.of("1"))
                        .containsEntry("c", ColumnValue.of("ab"));
                assertExact(c, everything, updates.get(0).after(), rows.get("10"));
                assertThat(updates.get(1).before()).containsEntry("id", ColumnValue.of("2"));
                assertExact(c, everything, updates.get(1).after(), rows.get("2"));

                execute(c, "DELETE FROM everything WHERE id = 3");
                List<RowChange> deletes = transaction(stream);
                assertThat(deletes).singleElement().satisfies(r -> {
                    assertThat(r.kind()).isEqualTo(RowChange.Kind.DELETE);
                    assertThat(r.before()).containsEntry("id", ColumnValue.of("3"));
                    assertThat(r.after()).isNull();
                });
            }
        }
    }

    @Test
    void commitPositionsResumeAfterTheTransactionAndCarryTheGtid() throws Exception {
        try (Connection c = binlog.connect()) {
            execute(c, "CREATE TABLE t (id int PRIMARY KEY, v int)");
            TableInfo t = binlog.describe(c, "t");
            BinlogPosition second;
            try (MySqlChangeStream stream = binlog.open(c, List.of(t))) {
                execute(c, "INSERT INTO t VALUES (1, 1)");
                transaction(stream);
                BinlogPosition afterFirst = MySqlPosition.capture(c);
                execute(c, "INSERT INTO t VALUES (2, 2)");
                ChangeEvent e;
                List<ChangeEvent> events = new ArrayList<>();
                do {
                    e = stream.poll(WAIT);
                    events.add(e);
                } while (!(e instanceof ChangeEvent.Commit));
                second = (BinlogPosition) ((ChangeEvent.Commit) e).position();
                assertThat(second.flavor()).isEqualTo("mariadb");
                assertThat(second.gtid()).isEqualTo(MySqlPosition.capture(c).gtid()).isNotEmpty();
                assertThat(second.pos()).isGreaterThan(afterFirst.pos());
                assertThat(caughtUp(stream)).as("nothing left behind once every event was delivered").isTrue();
            }
            execute(c, "INSERT INTO t VALUES (3, 3)");
            try (MySqlChangeStream resumed = MySqlChangeStream.open(binlog.endpoint(), second, List.of(t))) {
                assertThat(transaction(resumed)).singleElement()
                        .satisfies(r -> assertThat(r.after().get("id")).isEqualTo(ColumnValue.of("3")));
            }
        }
    }

    @Test
    void halfAMillionRowTransactionStreamsThroughWithFlatMemory() throws Exception {
        try (Connection c = binlog.connect()) {
            execute(c, "CREATE TABLE big (id int PRIMARY KEY, pad varchar(100))");
            TableInfo t = binlog.describe(c, "big");
            try (MySqlChangeStream stream = binlog.open(c, List.of(t))) {
                execute(c, "INSERT INTO big SELECT seq, repeat('p', 100) FROM seq_1_to_500000");
                var memory = ManagementFactory.getMemoryMXBean();
                System.gc();
                long baseline = memory.getHeapMemoryUsage().getUsed();
                long peak = 0;
                long changes = 0;
                ChangeEvent e;
                do {
                    e = stream.poll(WAIT);
                    assertThat(e).isNotNull().isNotInstanceOf(ChangeEvent.Stop.class);
                    if (e instanceof ChangeEvent.Change) {
                        changes++;
                        if (changes % 100_000 == 0) {
                            System.gc();
                            peak = Math.max(peak, memory.getHeapMemoryUsage().getUsed() - baseline);
                        }
                    }
                } while (!(e instanceof ChangeEvent.Commit) || changes == 0);
                assertThat(changes).isEqualTo(500_000);
                // 500,000 rows held at once would be well over 200 MB of maps and strings
                assertThat(peak).as("heap growth while streaming").isLessThan(64L << 20);
            }
        }
    }

    @Test
    void ddlOnAMigratedTableStopsAndDdlElsewhereIsIgnored() throws Exception {
        try (Connection c = binlog.connect()) {
            execute(c, "CREATE TABLE orders (id int PRIMARY KEY, v int)", "CREATE TABLE other (id int PRIMARY KEY)");
            TableInfo t = binlog.describe(c, "orders");
            try (MySqlChangeStream stream = binlog.open(c, List.of(t))) {
                execute(c, "ALTER TABLE other ADD COLUMN x int", "CREATE TABLE orders_log (id int)",
                        "INSERT INTO orders VALUES (1, 1)");
                assertThat(transaction(stream)).hasSize(1);
                execute(c, "TRUNCATE TABLE orders");
                assertThat(transaction(stream)).singleElement()
                        .satisfies(r -> assertThat(r.kind()).isEqualTo(RowChange.Kind.TRUNCATE));
                execute(c, "/* app */ ALTER TABLE `orders` ADD COLUMN note text");
                ChangeEvent e;
                do {
                    e = stream.poll(WAIT);
                    assertThat(e).isNotNull();
                } while (!(e instanceof ChangeEvent.Stop));
                assertThat(((ChangeEvent.Stop) e).message())
                        .startsWith("DDL on " + db + ".orders during catch-up")
                        .contains("ALTER TABLE `orders` ADD COLUMN note text", "the target would drift",
                                "Apply the same change to the target");
                assertThat(stream.poll(Duration.ofMillis(10))).as("stays stopped").isEqualTo(e);
            }
        }
    }

    @Test
    void expiredBinlogAndKeylessTableAndWrongRowImageStop() throws Exception {
        try (Connection c = binlog.connect()) {
            execute(c, "CREATE TABLE keyed (id int PRIMARY KEY)", "CREATE TABLE heap (v int)");
            BinlogPosition now = MySqlPosition.capture(c);
            Endpoint source = binlog.endpoint();
            try (MySqlChangeStream s = MySqlChangeStream.open(source,
                    new BinlogPosition("mysql-bin.000000", now.pos(), now.gtid(), now.flavor()),
                    List.of(binlog.describe(c, "keyed")))) {
                assertThat(s.poll(WAIT)).isInstanceOfSatisfying(ChangeEvent.Stop.class, stop ->
                        assertThat(stop.message()).startsWith("binlog expired").contains("Re-run the copy"));
            }
            try (MySqlChangeStream s = MySqlChangeStream.open(source, now, List.of(binlog.describe(c, "heap")))) {
                assertThat(s.poll(WAIT)).isInstanceOfSatisfying(ChangeEvent.Stop.class, stop ->
                        assertThat(stop.message()).contains("has no primary key"));
            }
        }
    }

    /**
     * Whether the stream reports 0 bytes behind once it has delivered what it has: the embedded server is shared with
     * other tests of this JVM, whose writes (catch-up state rows, say) may still land in the binlog, so drain first.
     */
    private static boolean caughtUp(MySqlChangeStream stream) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            while (stream.poll(java.time.Duration.ofMillis(200)) != null) {
                // events of other tests' tables are not ours; we only need the stream drained
            }
            if (stream.bytesBehind() == 0) {
                return true;
            }
        }
        return false;
    }
}
