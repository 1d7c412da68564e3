package io.livemigrate.engine.postgres;

import io.livemigrate.engine.ChangeEvent;
import io.livemigrate.engine.ColumnValue;
import io.livemigrate.engine.RowChange;
import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.WalPosition;
import io.livemigrate.engine.Column;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;
import org.postgresql.replication.LogSequenceNumber;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Decodes pgoutput protocol version 1 messages (text values) into {@link ChangeEvent}s. Relation messages are checked
 * against the target table as catch-up started: a different column list or types (DDL on the source) or a replica
 * identity that is not the applier's key becomes a {@link ChangeEvent.Stop}. A relation is matched to a plan table by
 * its oid and its name together: a partition's changes are the partitioned table's; a relation catch-up cannot match
 * with certainty (a plan table renamed on the source, a table it does not know) stops it rather than be skipped.
 */
final class PgOutputDecoder {

    /** Resolves a type oid and modifier to its {@code format_type} name on the source. */
    interface TypeNames {
        String name(int oid, int typmod) throws SQLException;
    }

    /** What a source relation is to the plan, by oid. */
    interface Membership {
        /** The relation {@code relid}, published as {@code named}: whose changes they are, or null when unknown. */
        Member of(long relid, TableId named) throws SQLException;
    }

    /**
     * @param planTable the plan table whose changes these are, or null for a table the plan leaves out (published for
     *                  another plan of the same name, say): its changes are skipped
     * @param name      the relation's name as catch-up knows it: the plan table's, or its partition's
     */
    record Member(TableId planTable, TableId name) {
    }

    /** @param partition the partition of {@code table} the relation is, or null when it is the table itself */
    private record Relation(TableId table, List<String> columns, boolean capture, TableId partition) {
    }

    private static final long PG_EPOCH_MICROS = 946_684_800_000_000L;

    private final String slot;
    private final Map<TableId, TableInfo> tables;
    private final TypeNames typeNames;
    private final Membership membership;
    private final Map<Integer, Relation> relations = new HashMap<>();
    private boolean markInTransaction;

    PgOutputDecoder(String slot, Map<TableId, TableInfo> tables, TypeNames typeNames, Membership membership) {
        this.slot = slot;
        this.tables = tables;
        this.typeNames = typeNames;
        this.membership = membership;
    }

    void decode(ByteBuffer buf, Consumer<ChangeEvent> out) throws SQLException {
        byte type = buf.get();
        switch (type) {
            case 'B' -> {
                buf.getLong(); // final LSN
                markInTransaction = false;
                out.accept(new ChangeEvent.Begin(time(buf.getLong())));
            }
            case 'C' -> {
                buf.get(); // flags
                buf.getLong(); // commit LSN
                long end = buf.getLong();
                Instant at = time(buf.getLong());
                out.accept(new ChangeEvent.Commit(position(slot, end), at, markInTransaction));
                markInTransaction = false;
            }
            case 'M' -> {
                byte flags = buf.get();
                buf.getLong(); // the message's LSN
                // a transactional message of PostgresMark's prefix: this transaction is a cutover's mark
                markInTransaction |= (flags & 1) != 0 && PostgresMark.PREFIX.equals(string(buf));
            }
            case 'R' -> relation(buf, out);
            case 'I' -> {
                Relation r = relations.get(buf.getInt());
                byte n = buf.get();
                Map<String, ColumnValue> after = tuple(buf, r);
                if (r.capture()) {
                    out.accept(new ChangeEvent.Change(new RowChange(r.table(), RowChange.Kind.INSERT, null, after)));
                }
            }
            case 'U' -> {
                Relation r = relations.get(buf.getInt());
                byte kind = buf.get();
                Map<String, ColumnValue> before = null;
                if (kind == 'K' || kind == 'O') {
                    before = tuple(buf, r);
                    if (kind == 'K') {
                        before = keyOnly(before, r);
                    }
                    kind = buf.get();
                }
                Map<String, ColumnValue> after = tuple(buf, r);
                if (before != null) {
                    // REPLICA IDENTITY FULL sends the old row whole: it fills unchanged TOAST values.
                    for (Map.Entry<String, ColumnValue> e : after.entrySet()) {
                        ColumnValue old = before.get(e.getKey());
                        if (e.getValue().isUnchanged() && old != null && !old.isUnchanged()) {
                            e.setValue(old);
                        }
                    }
                }
                if (r.capture()) {
                    out.accept(new ChangeEvent.Change(new RowChange(r.table(), RowChange.Kind.UPDATE, before, after)));
                }
            }
            case 'D' -> {
                Relation r = relations.get(buf.getInt());
                byte kind = buf.get();
                Map<String, ColumnValue> before = tuple(buf, r);
                if (r.capture()) {
                    out.accept(new ChangeEvent.Change(new RowChange(r.table(), RowChange.Kind.DELETE,
                            kind == 'K' ? keyOnly(before, r) : before, null)));
                }
            }
            case 'T' -> {
                int count = buf.getInt();
                buf.get(); // options: cascade, restart identity
                for (int i = 0; i < count; i++) {
                    Relation r = relations.get(buf.getInt());
                    if (r != null && r.capture()) {
                        out.accept(new ChangeEvent.Change(new RowChange(r.table(), RowChange.Kind.TRUNCATE, null, null,
                                r.partition())));
                    }
                }
            }
            case 'Y', 'O' -> {
                // type names, replication origins: nothing to apply
            }
            default -> out.accept(new ChangeEvent.Stop("unknown pgoutput message '" + (char) type
                    + "': this PostgreSQL version sends what livemigrate cannot decode"));
        }
    }

    /**
     * The position of a commit, made once per source transaction: the LSN is written as PostgreSQL writes it
     * ({@code %X/%X}, as {@link LogSequenceNumber#asString}) without {@code String.format} or regular expressions:
     * this runs on the decoding thread for every source transaction, so it must cost next to nothing.
     */
    static WalPosition position(String slot, long lsn) {
        return new WalPosition(slot, lsnText(lsn));
    }

    static String lsnText(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase(Locale.ROOT) + "/"
                + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase(Locale.ROOT);
    }

    private void relation(ByteBuffer buf, Consumer<ChangeEvent> out) throws SQLException {
        int relid = buf.getInt();
        TableId id = new TableId(string(buf), string(buf));
        char identity = (char) buf.get();
        int n = buf.getShort();
        List<String> names = new ArrayList<>(n);
        List<String> types = new ArrayList<>(n);
        List<String> flagged = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte flags = buf.get();
            String name = string(buf);
            int oid = buf.getInt();
            int typmod = buf.getInt();
            names.add(name);
            types.add(typeNames.name(oid, typmod));
            if ((flags & 1) != 0) {
                flagged.add(name);
            }
        }
        Member member = membership.of(relid & 0xffffffffL, id);
        TableInfo expected = member == null || member.planTable() == null ? null : tables.get(member.planTable());
        relations.put(relid, new Relation(expected == null ? id : expected.id(), names, expected != null,
                expected == null || member.name().equals(expected.id()) ? null : member.name()));
        if (member == null || (expected != null && !member.name().equals(id))) {
            out.accept(new ChangeEvent.Stop(unmatched(id, relid & 0xffffffffL, member)));
            return;
        }
        if (expected == null) {
            return;
        }
        List<Column> copied = expected.copiedColumns();
        List<String> expectedNames = copied.stream().map(Column::name).toList();
        List<String> expectedTypes = copied.stream().map(Column::type).toList();
        // by name: values are applied by name, and a partition may list its columns in another order than its table
        if (!columnTypes(names, types).equals(columnTypes(expectedNames, expectedTypes))) {
            out.accept(new ChangeEvent.Stop("DDL changed table " + id + " on the source: its columns are now "
                    + describe(names, types) + ", the target has " + describe(expectedNames, expectedTypes)
                    + ". Everything before this change is applied. Make the same change to the target table, "
                    + "then run catchup again (it resumes here)"));
        }
        else if (identity != 'f' && !new java.util.HashSet<>(flagged).equals(new java.util.HashSet<>(expected.keyColumns()))) {
            out.accept(new ChangeEvent.Stop("table " + id + ": the source now publishes " + (flagged.isEmpty()
                    ? "no key" : "key (" + String.join(", ", flagged) + ")") + " for updates and deletes, but catch-up"
                    + " applies them by " + expected.keyName() + " (" + String.join(", ", expected.keyColumns())
                    + "): restore the primary key or set REPLICA IDENTITY USING INDEX on that key, then run catchup"
                    + " again"));
        }
    }

    private static Map<String, String> columnTypes(List<String> names, List<String> types) {
        Map<String, String> byName = new HashMap<>();
        for (int i = 0; i < names.size(); i++) {
            byName.put(names.get(i), types.get(i));
        }
        return byName;
    }

    private static String unmatched(TableId id, long relid, Member member) {
        String what = member == null
                ? "table " + id + " (oid " + relid + "), which is none of the plan's tables (or their partitions) as "
                        + "catch-up started: it was renamed, or dropped and created again, on the source"
                : "table " + member.name() + " (oid " + relid + "), which was renamed to " + id + " on the source";
        return "catch-up received changes of " + what + ", so it cannot tell with certainty which target table they "
                + "belong to. Everything before them is applied. This migration cannot carry that table's changes "
                + "from here: exclude it from the plan (tables.exclude) and run catchup again, then move that table "
                + "with a new plan (copy creates it again)";
    }

    private static String describe(List<String> names, List<String> types) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            parts.add(names.get(i) + " " + types.get(i));
        }
        return "(" + String.join(", ", parts) + ")";
    }

    private static Map<String, ColumnValue> tuple(ByteBuffer buf, Relation r) {
        Objects.requireNonNull(r, "pgoutput sent a change before its relation");
        int n = buf.getShort();
        Map<String, ColumnValue> row = new LinkedHashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            byte kind = buf.get();
            ColumnValue value = switch (kind) {
                case 'n' -> ColumnValue.NULL;
                case 'u' -> ColumnValue.UNCHANGED;
                case 't' -> {
                    int len = buf.getInt();
                    String text = new String(buf.array(), buf.arrayOffset() + buf.position(), len, StandardCharsets.UTF_8);
                    buf.position(buf.position() + len);
                    yield ColumnValue.of(text);
                }
                default -> throw new IllegalStateException("unexpected pgoutput tuple value kind '" + (char) kind + "'");
            };
            row.put(r.columns().get(i), value);
        }
        return row;
    }

    /** An old-key tuple carries every column, the non-key ones as NULL: keep the key. */
    private Map<String, ColumnValue> keyOnly(Map<String, ColumnValue> tuple, Relation r) {
        TableInfo info = tables.get(r.table());
        if (info == null) {
            return tuple;
        }
        Map<String, ColumnValue> key = new LinkedHashMap<>();
        for (String k : info.keyColumns()) {
            key.put(k, tuple.get(k));
        }
        return key;
    }

    private static String string(ByteBuffer buf) {
        int start = buf.position();
        int end = start;
        while (buf.get(end) != 0) {
            end++;
        }
        String s = new String(buf.array(), buf.arrayOffset() + start, end - start, StandardCharsets.UTF_8);
        buf.position(end + 1);
        return s;
    }

    private static Instant time(long pgMicros) {
        long micros = pgMicros + PG_EPOCH_MICROS;
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
    }
}
