package io.livemigrate.catchup;

import io.livemigrate.engine.ApplyKeys;
import io.livemigrate.engine.CascadingForeignKey;
import io.livemigrate.engine.ColumnValue;
import io.livemigrate.engine.Engine;
import io.livemigrate.engine.ForeignKey;
import io.livemigrate.engine.RowChange;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;
import io.livemigrate.engine.ValueIdentity;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The keys a row change holds for parallel catch-up (docs/design.md, "Parallel apply"): two source transactions that
 * hold a common key are applied in source order. A change holds, for its old and its new image, the row's key, the
 * value of each unique key, and for each foreign key the value it references, named as the referenced table's own
 * key, so a child's change and its parent's change of the same value meet. Columns are named in sorted order and
 * values by their {@link ValueIdentity}: a value whose text cannot tell it from others ({@link ValueIdentity#NONE})
 * matches every value of its column.
 *
 * <p>A value an image lacks (a PostgreSQL old image with the key only, an unchanged TOAST value) gives no key: two
 * transactions ordered wrongly by such a value make the target refuse one (a unique or foreign-key violation), which
 * the apply connection retries in source order. What cannot be keyed at all makes its transaction run alone: a
 * truncate, a change whose row key it lacks, and a change an unlogged cascade follows (it reads the child rows the
 * target holds).
 */
final class ConflictKeys {

    /** Any value: what a value of a {@link ValueIdentity#NONE} column is keyed as. */
    private static final String ANY = "\u0002";
    private static final String NULL = "\u0000";

    /**
     * How one key is read from an image.
     *
     * @param prefix        the table and the key's columns, sorted
     * @param columns       the image's columns that hold the values, in the prefix's order
     * @param identities    how each value is compared
     * @param nullsDistinct a NULL value gives no key
     */
    private record Rule(String prefix, List<String> columns, List<ValueIdentity> identities, boolean nullsDistinct) {
    }

    private record Table(Rule row, List<Rule> others, List<CascadingForeignKey> cascades) {
    }

    private final Map<TableId, Table> tables;

    private ConflictKeys(Map<TableId, Table> tables) {
        this.tables = tables;
    }

    /**
     * @param applied by source table, the definition changes are applied by (its key is the row key)
     * @param keys    by source table, its unique and foreign keys on the source
     * @param cascades the foreign keys whose actions the source does not log ({@link Engine#unloggedCascades})
     */
    static ConflictKeys of(Map<TableId, TableInfo> applied, Map<TableId, ApplyKeys> keys,
                           List<CascadingForeignKey> cascades) {
        Map<TableId, Table> tables = new HashMap<>();
        for (Map.Entry<TableId, TableInfo> e : applied.entrySet()) {
            TableId id = e.getKey();
            ApplyKeys k = keys.get(id);
            Rule row = rule(id, e.getValue().keyColumns(), e.getValue().keyColumns(), k, true);
            Map<String, Rule> others = new LinkedHashMap<>();
            for (ApplyKeys.UniqueKey u : k.uniqueKeys()) {
                Rule r = rule(id, u.columns(), u.columns(), k, u.nullsDistinct());
                if (!r.prefix().equals(row.prefix())) {
                    others.putIfAbsent(r.prefix() + (r.nullsDistinct() ? "" : NULL), r);
                }
            }
            for (ForeignKey f : k.foreignKeys()) {
                ApplyKeys parent = keys.get(f.parent());
                if (parent != null) {
                    // named as the parent's key, compared as the parent compares (its index checks the reference)
                    Rule r = rule(f.parent(), f.parentColumns(), f.childColumns(), parent, true);
                    others.putIfAbsent(r.prefix() + "\u0003" + r.columns(), r);
                }
            }
            List<CascadingForeignKey> followed = cascades.stream().filter(c -> c.parent().equals(id)
                    && applied.containsKey(c.child())).toList();
            tables.put(id, new Table(row, List.copyOf(others.values()), followed));
        }
        return new ConflictKeys(tables);
    }

    /** Reads every table's keys from the source. */
    static ConflictKeys load(Engine engine, Connection source, Map<TableId, TableInfo> applied,
                             Function<TableId, TableInfo> sourceTable) throws SQLException {
        Map<TableId, ApplyKeys> keys = new HashMap<>();
        for (TableId id : applied.keySet()) {
            keys.put(id, engine.applyKeys(source, sourceTable.apply(id)));
        }
        return of(applied, keys, engine.unloggedCascades(source, List.copyOf(applied.keySet())));
    }

    /**
     * Adds the keys {@code change} holds to {@code keys}; false when it cannot be keyed, so its transaction must be
     * applied alone.
     */
    boolean addKeys(RowChange change, Collection<String> keys) {
        Table t = tables.get(change.table());
        if (t == null || change.kind() == RowChange.Kind.TRUNCATE || followedByCascade(t, change)) {
            return false;
        }
        return addKeys(t, change.before(), keys) && addKeys(t, change.after(), keys);
    }

    /** The keys one image (null: none) holds; false when it lacks its row key. */
    private static boolean addKeys(Table t, Map<String, ColumnValue> image, Collection<String> keys) {
        if (image == null) {
            return true;
        }
        String row = key(t.row(), image);
        if (row == null) {
            return false;
        }
        keys.add(row);
        for (Rule r : t.others()) {
            String k = key(r, image);
            if (k != null) {
                keys.add(k);
            }
        }
        return true;
    }

    /** A delete of a parent row, or a change of the values its children reference, that the source cascades unlogged. */
    private static boolean followedByCascade(Table t, RowChange change) {
        if (t.cascades().isEmpty() || change.kind() == RowChange.Kind.INSERT) {
            return false;
        }
        if (change.kind() == RowChange.Kind.DELETE || change.before() == null) {
            return true;
        }
        for (CascadingForeignKey k : t.cascades()) {
            for (String c : k.parentColumns()) {
                if (!Objects.equals(change.before().get(c), change.after().get(c))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The key {@code r} names in {@code image}; null when the image lacks a value, or holds a NULL that never collides. */
    private static String key(Rule r, Map<String, ColumnValue> image) {
        StringBuilder key = new StringBuilder(r.prefix());
        for (int i = 0; i < r.columns().size(); i++) {
            ColumnValue v = image.get(r.columns().get(i));
            if (v == null || v.isUnchanged()) {
                return null;
            }
            String text;
            if (v.isNull()) {
                if (r.nullsDistinct()) {
                    return null;
                }
                text = NULL;
            }
            else {
                String canonical = r.identities().get(i).canonical(v.text());
                text = canonical == null ? ANY : canonical;
            }
            key.append('\u0001').append(text);
        }
        return key.toString();
    }

    /**
     * The rule for the key {@code named} of table {@code owner} (whose {@code keys} say how its columns compare), its
     * values read from the image's columns {@code read} (paired with {@code named} in order).
     */
    private static Rule rule(TableId owner, List<String> named, List<String> read, ApplyKeys keys,
                             boolean nullsDistinct) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < named.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.comparing(named::get));
        StringBuilder prefix = new StringBuilder(owner.qualified());
        List<String> columns = new ArrayList<>();
        List<ValueIdentity> identities = new ArrayList<>();
        for (int i : order) {
            prefix.append('\u0001').append(named.get(i));
            columns.add(read.get(i));
            identities.add(keys.identity(named.get(i)));
        }
        return new Rule(prefix.append('\u0000').toString(), List.copyOf(columns), List.copyOf(identities),
                nullsDistinct);
    }
}
