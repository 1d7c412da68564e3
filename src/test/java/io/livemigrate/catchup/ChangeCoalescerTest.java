package io.livemigrate.catchup;

import io.livemigrate.engine.Column;
import io.livemigrate.engine.ColumnValue;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Per-key coalescing without a database: what survives of a target transaction's changes, and how it is grouped. */
class ChangeCoalescerTest {

    private static final TableInfo T = new TableInfo(new TableId("app", "t"), List.of(
            new Column("id", "int", false, false), new Column("v", "text", true, false),
            new Column("doc", "text", true, false)), List.of("id"), "PRIMARY KEY", 0, 0);
    private static final TableInfo U = new TableInfo(new TableId("app", "u"), List.of(
            new Column("id", "int", false, false)), List.of("id"), "PRIMARY KEY", 0, 0);
    private static final ColumnValue KEEP = ColumnValue.UNCHANGED;

    private final ChangeCoalescer coalescer = new ChangeCoalescer();

    /** An image of id, v, doc; a null value is SQL NULL. */
    private static Map<String, ColumnValue> row(Object id, Object v, Object doc) {
        Map<String, ColumnValue> m = new LinkedHashMap<>();
        m.put("id", value(id));
        m.put("v", value(v));
        m.put("doc", value(doc));
        return m;
    }

    private static ColumnValue value(Object o) {
        return o instanceof ColumnValue c ? c : ColumnValue.of(o == null ? null : o.toString());
    }

    private static Map<String, ColumnValue> key(Object id) {
        return Map.of("id", value(id));
    }

    @Test
    void onlyTheLastImageOfAKeySurvives() {
        coalescer.upsert(T, row(1, "a", "x"));
        coalescer.upsert(T, row(2, "b", "y"));
        coalescer.upsert(T, row(1, "c", "z"));
        assertThat(coalescer.size()).as("every change counts").isEqualTo(3);
        List<ChangeCoalescer.TableBatch> batches = coalescer.drain();
        assertThat(batches).singleElement().satisfies(b -> {
            assertThat(b.table()).isEqualTo(T.id());
            assertThat(b.deletes()).isEmpty();
            assertThat(b.full()).containsOnlyKeys(List.of("id", "v", "doc"));
            assertThat(b.full().get(List.of("id", "v", "doc"))).containsExactly(row(1, "c", "z"), row(2, "b", "y"));
            assertThat(b.partial()).isEmpty();
        });
        assertThat(coalescer.size()).isZero();
        assertThat(coalescer.drain()).as("drained").isEmpty();
    }

    @Test
    void aDeleteReplacesWhatTheKeyHeldAndAnInsertAfterItReplacesTheDelete() {
        coalescer.upsert(T, row(1, "a", "x"));
        coalescer.delete(T, key(1));
        coalescer.delete(T, key(2));
        coalescer.upsert(T, row(2, "b", null));
        ChangeCoalescer.TableBatch b = coalescer.drain().get(0);
        assertThat(b.deletes()).containsExactly(key(1));
        assertThat(b.full().values()).singleElement().asList().containsExactly(row(2, "b", null));
    }

    @Test
    void anUnchangedValueTakesTheEarlierImagesValue() {
        coalescer.upsert(T, row(1, "a", "big document"));
        coalescer.upsert(T, row(1, "b", KEEP));
        ChangeCoalescer.TableBatch b = coalescer.drain().get(0);
        assertThat(b.partial()).isEmpty();
        assertThat(b.full().values()).singleElement().asList().containsExactly(row(1, "b", "big document"));
    }

    @Test
    void imagesWithUnchangedValuesAreGroupedByTheColumnsTheySet() {
        coalescer.upsert(T, row(1, "a", KEEP));
        coalescer.upsert(T, row(2, KEEP, KEEP));
        coalescer.upsert(T, row(3, "c", KEEP));
        coalescer.upsert(T, row(4, "d", "e"));
        ChangeCoalescer.TableBatch b = coalescer.drain().get(0);
        assertThat(b.full()).containsOnlyKeys(List.of("id", "v", "doc"));
        assertThat(b.partial()).containsOnlyKeys(List.of("id", "v"), List.of("id"));
        assertThat(b.partial().get(List.of("id", "v"))).containsExactly(row(1, "a", KEEP), row(3, "c", KEEP));
    }

    @Test
    void tablesComeInTheOrderTheyWereFirstChanged() {
        coalescer.upsert(U, key(1));
        coalescer.upsert(T, row(1, "a", "x"));
        coalescer.upsert(U, key(2));
        assertThat(coalescer.drain()).extracting(ChangeCoalescer.TableBatch::table).containsExactly(U.id(), T.id());
    }

    @Test
    void anUpdateThatKeepsItsKeyIsAnUpsert() {
        assertThat(coalescer.update(T, row(1, "a", "x"), row(1, "b", "x"))).isNull();
        assertThat(coalescer.update(T, null, row(1, "c", KEEP))).isNull();
        ChangeCoalescer.TableBatch b = coalescer.drain().get(0);
        assertThat(b.deletes()).isEmpty();
        assertThat(b.full().values()).singleElement().asList().containsExactly(row(1, "c", "x"));
    }

    @Test
    void anUpdateOfTheKeyDeletesTheOldKeyAndUpsertsTheNew() {
        coalescer.upsert(T, row(1, "a", "doc"));
        assertThat(coalescer.update(T, row(1, "a", "doc"), row(5, "b", KEEP))).as("the buffered image has the value")
                .isNull();
        assertThat(coalescer.size()).isEqualTo(3);
        ChangeCoalescer.TableBatch b = coalescer.drain().get(0);
        assertThat(b.deletes()).containsExactly(row(1, "a", "doc"));
        assertThat(b.full().values()).singleElement().asList().containsExactly(row(5, "b", "doc"));
    }

    @Test
    void aKeyChangeLackingUnchangedValuesIsLeftToAMoveOnTheTarget() {
        coalescer.upsert(T, row(9, "z", "z"));
        Map<String, ColumnValue> moved = coalescer.update(T, key(1), row(5, "b", KEEP));
        assertThat(moved).isEqualTo(row(5, "b", KEEP));
        assertThat(coalescer.size()).as("nothing taken in").isEqualTo(1);
    }

    @Test
    void aChangeWithoutItsKeyIsRefused() {
        assertThatThrownBy(() -> coalescer.upsert(T, row(null, "a", "x")))
                .hasMessageContaining("no value for key column id");
        assertThatThrownBy(() -> coalescer.delete(T, Map.of("id", KEEP))).hasMessageContaining("key column id");
    }

    @Test
    void clearForgetsEverything() {
        coalescer.upsert(T, row(1, "a", "x"));
        coalescer.clear();
        assertThat(coalescer.size()).isZero();
        assertThat(coalescer.drain()).isEmpty();
    }
}
