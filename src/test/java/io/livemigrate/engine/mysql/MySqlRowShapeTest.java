package io.livemigrate.engine.mysql;

import io.livemigrate.engine.ChangeEvent;
import io.livemigrate.engine.Column;
import io.livemigrate.engine.ColumnValue;
import io.livemigrate.engine.RowChange;
import io.livemigrate.engine.TableInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The binlog's rows as the target can apply them, or a stop: an image the source logged without every column
 * (binlog_row_image MINIMAL or NOBLOB in one session; MySQL's partial JSON updates: {@link MySqlPartialJsonTest}) is
 * never applied with NULLs for
 * what it lacks (issue 16 case 8), and positional values are named by the source's column order, not the target's
 * (case 9: a column added on the source with AFTER, on the target at the end).
 */
class MySqlRowShapeTest {

    private static final Duration WAIT = BinlogTestDatabase.WAIT;

    private final BinlogTestDatabase binlog = new BinlogTestDatabase("rowshape");
    private final String db = binlog.db;

    /** The next row change, or the stop, skipping Begin and Commit. */
    private static ChangeEvent next(MySqlChangeStream stream) throws SQLException {
        while (true) {
            ChangeEvent e = stream.poll(WAIT);
            assertThat(e).as("an event within " + WAIT).isNotNull();
            if (e instanceof ChangeEvent.Change || e instanceof ChangeEvent.Stop) {
                return e;
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"MINIMAL", "NOBLOB"})
    void aSessionLoggingIncompleteRowImagesStopsCatchup(String image) throws Exception {
        try (Connection c = binlog.connect()) {
            execute(c, "CREATE TABLE t (id int PRIMARY KEY, a varchar(20), b blob, n int)",
                    "INSERT INTO t VALUES (1, 'kept', X'0102', 1)");
            TableInfo t = binlog.describe(c, "t");
            try (MySqlChangeStream stream = binlog.open(c, List.of(t))) {
                execute(c, "UPDATE t SET n = 2 WHERE id = 1");
                assertThat(next(stream)).isInstanceOf(ChangeEvent.Change.class);
                execute(c, "SET SESSION binlog_row_image = " + image, "UPDATE t SET n = 3 WHERE id = 1",
                        "SET SESSION binlog_row_image = FULL");
                assertThat(next(stream)).as("never a row with NULL for what the image lacks")
                        .isInstanceOfSatisfying(ChangeEvent.Stop.class, s -> assertThat(s.message())
                                .contains(db + ".t", "binlog_row_image", "lacks column", "re-run the copy"));
            }
        }
    }

    /**
     * The source gained a column in the middle ({@code ADD COLUMN x ... AFTER a}), the target the same column at the
     * end: every value must arrive under its own column's name, for random rows.
     */
    @Test
    void valuesAreNamedBySourceColumnOrderWhenTheTargetOrdersColumnsOtherwise() throws Exception {
        try (Connection c = binlog.connect()) {
            execute(c, "CREATE TABLE t (id int PRIMARY KEY, a varchar(20), b varchar(20), c int)",
                    "ALTER TABLE t ADD COLUMN x varchar(20) AFTER a");
            TableInfo source = binlog.describe(c, "t");
            List<Column> targetOrder = new ArrayList<>(source.columns());
            targetOrder.add(targetOrder.remove(2)); // id, a, b, c, x: the target's ALTER added x at the end
            TableInfo target = new TableInfo(source.id(), targetOrder, source.keyColumns(), source.keyName(), 0, 0);
            try (MySqlChangeStream stream = binlog.open(c, List.of(target))) {
                Random r = new Random(9);
                for (int id = 1; id <= 20; id++) {
                    String a = "a" + r.nextInt(1000);
                    String x = "x" + r.nextInt(1000);
                    String b = "b" + r.nextInt(1000);
                    int n = r.nextInt(1000);
                    execute(c, "INSERT INTO t VALUES (" + id + ", '" + a + "', '" + x + "', '" + b + "', " + n + ")");
                    ChangeEvent e = next(stream);
                    assertThat(e).isInstanceOf(ChangeEvent.Change.class);
                    RowChange change = ((ChangeEvent.Change) e).change();
                    assertThat(change.after()).containsEntry("a", ColumnValue.of(a)).containsEntry("x", ColumnValue.of(x))
                            .containsEntry("b", ColumnValue.of(b)).containsEntry("c", ColumnValue.of(Integer.toString(n)));
                }
            }
        }
    }

    /** A column the source has and the target lacks (the DDL not repeated there) stops with what to do. */
    @Test
    void aColumnOnlyOneSideHasStops() throws Exception {
        try (Connection c = binlog.connect()) {
            execute(c, "CREATE TABLE t (id int PRIMARY KEY, a varchar(20))");
            TableInfo before = binlog.describe(c, "t");
            execute(c, "ALTER TABLE t ADD COLUMN x int AFTER id");
            try (MySqlChangeStream stream = binlog.open(c, List.of(before))) {
                assertThat(stream.poll(WAIT)).isInstanceOfSatisfying(ChangeEvent.Stop.class, s ->
                        assertThat(s.message()).contains(db + ".t", "the source only: [x]", "catchup again"));
            }
        }
    }
}
