package io.livemigrate.catchup;

import io.livemigrate.engine.ColumnValue;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-key coalescing of the row changes of one target transaction, before any is written: only the last image of
 * each key survives (an unchanged TOAST value takes the earlier image's value), a delete replaces what the key held.
 * Changes on different rows commute, so writing the survivors equals applying the changes one by one (docs/design.md,
 * rule 2: each is an absolute image). Holds no connection: {@link ChangeApplier} writes what {@link #drain} returns.
 */
final class ChangeCoalescer {

    /** What survives for one key. */
    sealed interface Op permits Upsert, Delete {
    }

    /** The row's last image. */
    record Upsert(Map<String, ColumnValue> image) implements Op {
    }

    /** The row is gone; {@code key} holds at least its key columns. */
    record Delete(Map<String, ColumnValue> key) implements Op {
    }

    /**
     * One table's survivors as they are written: the deletes, then the upserts grouped by the columns they set.
     *
     * @param deletes the deleted rows' keys, in the order the keys were first changed
     * @param full    whole images, by the columns they hold
     * @param partial images with unchanged values, by the columns they set: an update of the row in place
     */
    record TableBatch(TableId table, List<Map<String, ColumnValue>> deletes,
                      Map<List<String>, List<Map<String, ColumnValue>>> full,
                      Map<List<String>, List<Map<String, ColumnValue>>> partial) {
    }

    private final Map<TableId, LinkedHashMap<List<String>, Op>> buffer = new LinkedHashMap<>();
    private int changes;

    /** Changes taken since the last {@link #drain}: a key changed twice counts twice. */
    int size() {
        return changes;
    }

    /** The row becomes {@code image}; an earlier image of the key fills its unchanged values. */
    void upsert(TableInfo t, Map<String, ColumnValue> image) {
        Map<List<String>, Op> rows = buffer.computeIfAbsent(t.id(), k -> new LinkedHashMap<>());
        List<String> key = key(t, image);
        Op previous = rows.get(key);
        rows.put(key, new Upsert(previous instanceof Upsert u ? merged(u.image(), image) : image));
        changes++;
    }

    /** The row with {@code before}'s key is deleted. */
    void delete(TableInfo t, Map<String, ColumnValue> before) {
        buffer.computeIfAbsent(t.id(), k -> new LinkedHashMap<>()).put(key(t, before), new Delete(before));
        changes++;
    }

    /**
     * An update from {@code before} (null when the source did not send it) to {@code after}. Taken in when it can be:
     * the same key is an upsert; a new key deletes the old and upserts the new. A new key whose image still lacks
     * unchanged values (nothing buffered for the old key has them) cannot be: the caller writes what is buffered and
     * moves the row on the target, so those values come along.
     *
     * @return null when taken in; else the new image to move the row to, unchanged values filled where they could be
     */
    Map<String, ColumnValue> update(TableInfo t, Map<String, ColumnValue> before, Map<String, ColumnValue> after) {
        if (before == null || key(t, before).equals(key(t, after))) {
            upsert(t, after);
            return null;
        }
        Map<String, ColumnValue> moved = merged(bufferedImage(t, key(t, before)), after);
        if (hasUnchanged(moved)) {
            return moved;
        }
        delete(t, before);
        upsert(t, moved);
        return null;
    }

    /** The survivors, table by table in the order tables were first changed; the coalescer is then empty. */
    List<TableBatch> drain() {
        List<TableBatch> batches = new ArrayList<>(buffer.size());
        for (Map.Entry<TableId, LinkedHashMap<List<String>, Op>> e : buffer.entrySet()) {
            List<Map<String, ColumnValue>> deletes = new ArrayList<>();
            Map<List<String>, List<Map<String, ColumnValue>>> full = new LinkedHashMap<>();
            Map<List<String>, List<Map<String, ColumnValue>>> partial = new LinkedHashMap<>();
            for (Op op : e.getValue().values()) {
                if (op instanceof Delete d) {
                    deletes.add(d.key());
                }
                else if (op instanceof Upsert u) {
                    List<String> shape = new ArrayList<>();
                    u.image().forEach((c, v) -> {
                        if (!v.isUnchanged()) {
                            shape.add(c);
                        }
                    });
                    (hasUnchanged(u.image()) ? partial : full).computeIfAbsent(shape, k -> new ArrayList<>())
                            .add(u.image());
                }
            }
            batches.add(new TableBatch(e.getKey(), deletes, full, partial));
        }
        clear();
        return batches;
    }

    /** Forgets everything taken since the last drain (the target transaction is rolled back). */
    void clear() {
        buffer.clear();
        changes = 0;
    }

    private Map<String, ColumnValue> bufferedImage(TableInfo t, List<String> key) {
        Map<List<String>, Op> rows = buffer.get(t.id());
        return rows != null && rows.get(key) instanceof Upsert u ? u.image() : null;
    }

    /** {@code later}, its unchanged values taken from {@code earlier} where that has them. */
    static Map<String, ColumnValue> merged(Map<String, ColumnValue> earlier, Map<String, ColumnValue> later) {
        if (earlier == null || !hasUnchanged(later)) {
            return later;
        }
        Map<String, ColumnValue> m = new LinkedHashMap<>(later);
        m.replaceAll((c, v) -> v.isUnchanged() && earlier.containsKey(c) ? earlier.get(c) : v);
        return m;
    }

    static boolean hasUnchanged(Map<String, ColumnValue> image) {
        for (ColumnValue v : image.values()) {
            if (v.isUnchanged()) {
                return true;
            }
        }
        return false;
    }

    /** The row's key as text, one value per key column. */
    static List<String> key(TableInfo t, Map<String, ColumnValue> image) {
        List<String> key = new ArrayList<>(t.keyColumns().size());
        for (String k : t.keyColumns()) {
            ColumnValue v = image.get(k);
            if (v == null || v.kind() != ColumnValue.Kind.VALUE) {
                throw new IllegalStateException("a change to " + t.id() + " carries no value for key column " + k);
            }
            key.add(v.text());
        }
        return key;
    }
}
