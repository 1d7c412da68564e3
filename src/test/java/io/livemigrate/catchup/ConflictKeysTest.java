package io.livemigrate.catchup;

import io.livemigrate.engine.ApplyKeys;
import io.livemigrate.engine.CascadingForeignKey;
import io.livemigrate.engine.Column;
import io.livemigrate.engine.ColumnValue;
import io.livemigrate.engine.ForeignKey;
import io.livemigrate.engine.RowChange;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;
import io.livemigrate.engine.ValueIdentity;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which changes parallel catch-up orders against each other, without a database: a parent {@code acct(id, email
 * unique, code)} and a child {@code item(id, acct_id references acct, name)}. Changes share a key when they touch one
 * row, one unique value (old or new), or a parent row and a child that references it; values are compared as the
 * column compares them; a change that cannot be keyed runs alone.
 */
class ConflictKeysTest {

    private static final TableId ACCT = new TableId("app", "acct");
    private static final TableId ITEM = new TableId("app", "item");
    private static final TableInfo ACCT_T = table(ACCT, "id", "email", "code");
    private static final TableInfo ITEM_T = table(ITEM, "id", "acct_id", "name");
    private static final Map<TableId, TableInfo> TABLES = Map.of(ACCT, ACCT_T, ITEM, ITEM_T);

    private static ConflictKeys keys(ValueIdentity email, List<CascadingForeignKey> cascades) {
        return ConflictKeys.of(TABLES, Map.of(
                ACCT, new ApplyKeys(List.of(new ApplyKeys.UniqueKey(List.of("id"), true),
                        new ApplyKeys.UniqueKey(List.of("email"), true)), List.of(),
                        Map.of("id", ValueIdentity.EXACT, "email", email, "code", ValueIdentity.EXACT)),
                ITEM, new ApplyKeys(List.of(new ApplyKeys.UniqueKey(List.of("id"), true)),
                        List.of(new ForeignKey("item_acct", ITEM, List.of("acct_id"), ACCT, List.of("id"))),
                        Map.of("id", ValueIdentity.EXACT, "acct_id", ValueIdentity.EXACT))), cascades);
    }

    private final ConflictKeys exact = keys(ValueIdentity.EXACT, List.of());

    @Test
    void theSameRowOrTheSameUniqueValueOldOrNewConflicts() {
        assertThat(conflict(exact, insert(ACCT, "1", "a@x", "c"), update(ACCT, row("1", "b@x", "c"),
                row("1", "b@x", "d")))).as("one row").isTrue();
        assertThat(conflict(exact, insert(ACCT, "1", "a@x", "c"), insert(ACCT, "2", "b@x", "c"))).isFalse();
        // row 1 frees a@x, row 2 takes it: the second must come after the first
        assertThat(conflict(exact, update(ACCT, row("1", "a@x", "c"), row("1", "z@x", "c")),
                insert(ACCT, "2", "a@x", "c"))).as("an old unique value").isTrue();
        assertThat(conflict(exact, delete(ACCT, row("1", "a@x", "c")), insert(ACCT, "2", "a@x", "c")))
                .as("a deleted row's unique value").isTrue();
        assertThat(conflict(exact, insert(ACCT, "1", "a@x", "c"), insert(ACCT, "2", "A@X", "c"))).isFalse();
    }

    @Test
    void aParentAndAChildThatReferencesItConflictEitherWay() {
        assertThat(conflict(exact, insert(ACCT, "7", "a@x", "c"), insert(ITEM, "100", "7", "n"))).isTrue();
        assertThat(conflict(exact, update(ITEM, row("100", "7", "n"), row("100", "8", "n")),
                delete(ACCT, row("7", "a@x", "c")))).as("the child moved off the parent being deleted").isTrue();
        assertThat(conflict(exact, insert(ACCT, "7", "a@x", "c"), insert(ITEM, "100", "8", "n"))).isFalse();
        assertThat(conflict(exact, insert(ACCT, "7", "a@x", "c"), insert(ITEM, "7", null, "n")))
                .as("a NULL references nothing; the child's own key is another table's").isFalse();
    }

    @Test
    void valuesCompareAsTheirColumnDoes() {
        ConflictKeys caseInsensitive = keys(ValueIdentity.NONE, List.of());
        assertThat(conflict(caseInsensitive, insert(ACCT, "1", "a@x", "c"), insert(ACCT, "2", "A@X", "c")))
                .as("any two values of a column whose text cannot tell them apart").isTrue();
        ConflictKeys padSpace = keys(ValueIdentity.PAD_SPACE, List.of());
        assertThat(conflict(padSpace, insert(ACCT, "1", "a@x", "c"), insert(ACCT, "2", "a@x  ", "c"))).isTrue();
        assertThat(conflict(padSpace, insert(ACCT, "1", "a@x", "c"), insert(ACCT, "2", " a@x", "c"))).isFalse();
    }

    @Test
    void whatCannotBeKeyedRunsAlone() {
        Set<String> held = new HashSet<>();
        assertThat(exact.addKeys(new RowChange(ACCT, RowChange.Kind.TRUNCATE, null, null), held)).isFalse();
        assertThat(exact.addKeys(new RowChange(new TableId("app", "other"), RowChange.Kind.INSERT, null,
                row("1", "a", "b")), held)).isFalse();
        CascadingForeignKey cascade = new CascadingForeignKey("item_acct", ITEM, List.of("acct_id"), ACCT,
                List.of("id"), CascadingForeignKey.Action.CASCADE, CascadingForeignKey.Action.CASCADE);
        ConflictKeys cascading = keys(ValueIdentity.EXACT, List.of(cascade));
        assertThat(cascading.addKeys(delete(ACCT, row("1", "a@x", "c")), held)).as("an unlogged cascade").isFalse();
        assertThat(cascading.addKeys(update(ACCT, row("1", "a@x", "c"), row("2", "a@x", "c")), held)).isFalse();
        assertThat(cascading.addKeys(update(ACCT, row("1", "a@x", "c"), row("1", "b@x", "c")), held))
                .as("the referenced value did not change").isTrue();
        // a PostgreSQL old image with the key only: no old email, no key from it, but keyed
        Map<String, ColumnValue> keyOnly = new LinkedHashMap<>();
        keyOnly.put("id", ColumnValue.of("1"));
        assertThat(exact.addKeys(new RowChange(ACCT, RowChange.Kind.DELETE, keyOnly, null), held)).isTrue();
    }

    private static boolean conflict(ConflictKeys k, RowChange a, RowChange b) {
        Set<String> first = new HashSet<>();
        Set<String> second = new HashSet<>();
        assertThat(k.addKeys(a, first)).isTrue();
        assertThat(k.addKeys(b, second)).isTrue();
        first.retainAll(second);
        return !first.isEmpty();
    }

    private static TableInfo table(TableId id, String... columns) {
        return new TableInfo(id, java.util.Arrays.stream(columns).map(c -> new Column(c, "text", true, false))
                .toList(), List.of(columns[0]), "PRIMARY KEY", 0, 0);
    }

    /** Values by position; {@link #rename} names them as a table's columns. */
    private static Map<String, ColumnValue> row(String... values) {
        Map<String, ColumnValue> m = new LinkedHashMap<>();
        for (int i = 0; i < values.length; i++) {
            m.put("c" + i, ColumnValue.of(values[i]));
        }
        return m;
    }

    private static RowChange insert(TableId t, String... values) {
        return new RowChange(t, RowChange.Kind.INSERT, null, image(t, values));
    }

    private static RowChange update(TableId t, Map<String, ColumnValue> before, Map<String, ColumnValue> after) {
        return new RowChange(t, RowChange.Kind.UPDATE, rename(t, before), rename(t, after));
    }

    private static RowChange delete(TableId t, Map<String, ColumnValue> before) {
        return new RowChange(t, RowChange.Kind.DELETE, rename(t, before), null);
    }

    private static Map<String, ColumnValue> image(TableId t, String... values) {
        Map<String, ColumnValue> m = new LinkedHashMap<>();
        List<String> names = (t.equals(ACCT) ? ACCT_T : ITEM_T).columns().stream().map(Column::name).toList();
        for (int i = 0; i < values.length; i++) {
            m.put(names.get(i), ColumnValue.of(values[i]));
        }
        return m;
    }

    /** The image's values under {@code t}'s column names, in order. */
    private static Map<String, ColumnValue> rename(TableId t, Map<String, ColumnValue> m) {
        return image(t, m.values().stream().map(ColumnValue::text).toArray(String[]::new));
    }
}
