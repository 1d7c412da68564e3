package io.livemigrate.engine.postgres;

import io.livemigrate.engine.ChunkDigester;
import io.livemigrate.engine.Column;
import io.livemigrate.engine.KeyValue;
import io.livemigrate.engine.KeysetSql;
import io.livemigrate.engine.KeysetSql.Binder;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * PostgreSQL chunk digests. A row's 64-bit hash is {@code hash_record_extended(ROW(v1, v2, ...), 0)} (PostgreSQL 14+):
 * each value hashed by its type's own extended hash function, the one hash partitioning relies on and so stable
 * across versions, with no detour through text, which is far cheaper than hashing the row's text. Only types
 * whose hash is exactly "same value" go in as they are: integers, boolean, bytea, date, time, timestamps (an
 * instant, whatever the session zone), uuid, jsonb (by value: key order and whitespace do not count; json is cast to
 * jsonb), and character types under the "C" collation (bytewise, so 'a' and 'a ' differ in text and varchar, and a
 * nondeterministic collation cannot make 'A' equal 'a'). Every other type is hashed as its text form, which keeps
 * apart what the type's own equality would merge: -0 and 0 or NaN payloads (float), 1.0 and 1.00 (numeric),
 * '1 day' and '24 hours' (interval), and enums whose hash would be their per-database OIDs. NULL hashes apart from
 * every value. The chunk hash is the exact sum (numeric) of the row hashes, so row order does not matter. Before
 * PostgreSQL 14 the row's text ({@code ROW(...)::text}, NULL as nothing) is hashed with {@code hashtextextended}.
 *
 * <p>Columns of the commonest types skip the record: each is hashed by its type's extended hash function seeded with
 * the hash of the columns before it ({@code hashint4extended(b, hashint4extended(a, 0))}), and the other columns'
 * record is hashed with that chain as its seed. Building the {@code ROW} and taking it apart again is most of a record
 * hash's cost, which the chain avoids (docs/benchmarks.md, "PostgreSQL verify"). The functions are the ones the types'
 * hash operator classes name, so the chain keeps what the record hash guarantees. A nullable column enters as
 * {@code hashint8extended(coalesce(h(v, 0), K), seed)}, so NULL hashes apart from every value; should a column the
 * catalog calls NOT NULL hold a NULL on one side, the chain turns NULL and the row hashes to a constant of its own,
 * which still differs from the other side's row.
 */
final class PostgresChunkDigest implements ChunkDigester {

    private final TableInfo table;
    private final KeysetSql keyset;
    private final List<String> columns;
    private final String rowText;
    private final String rowHash;
    private final String columnHashes;
    private final boolean recordHashing;

    /** @param recordHashing both servers are PostgreSQL 14 or later (both sides must hash the same way) */
    PostgresChunkDigest(TableInfo table, boolean recordHashing) {
        this.recordHashing = recordHashing;
        PostgresDialect d = PostgresDialect.INSTANCE;
        this.table = table;
        this.keyset = new KeysetSql(d, table);
        this.columns = table.columns().stream().map(Column::name).toList();
        List<String> values = table.columns().stream().map(PostgresChunkDigest::canonical).toList();
        this.rowText = "ROW(" + String.join(", ", values) + ")::text";
        this.rowHash = rowHash(table.columns());
        this.columnHashes = values.stream().map(v -> "hashtextextended(ROW(" + v + ")::text, 0)")
                .collect(Collectors.joining(", "));
    }

    private static String canonical(Column c) {
        String col = PostgresDialect.INSTANCE.quote(c.name());
        String type = c.type().toLowerCase();
        if (type.equals("json")) {
            return col + "::jsonb";
        }
        if (type.equals("json[]")) {
            return col + "::jsonb[]";
        }
        return col;
    }

    private static final Pattern AS_IS = Pattern.compile("smallint|integer|bigint|boolean|bytea|date|uuid|jsonb"
            + "|time(stamp)?(\\(\\d\\))? with(out)? time zone");
    private static final Pattern CHARACTER = Pattern.compile("text|(character varying|character)(\\(\\d+\\))?");

    /** Hash functions for a chain, by type: the extended support function of the type's default hash opclass. */
    private static final Map<String, String> CHAINED = Map.of(
            "smallint", "hashint2extended", "integer", "hashint4extended", "bigint", "hashint8extended",
            "uuid", "uuid_hash_extended", "jsonb", "jsonb_hash_extended", "json", "jsonb_hash_extended",
            "text", "hashtextextended", "character varying", "hashtextextended", "character", "hashbpcharextended");
    private static final Pattern CHAINED_TIME = Pattern.compile("(time(stamp)?)(\\(\\d\\))? without time zone"
            + "|(time)(\\(\\d\\))? with time zone");
    /** At most this many columns nest in one chain (the parser recurses per level); the rest join the record. */
    private static final int MAX_CHAIN = 64;
    /** A nullable column's NULL, and a row whose chain met a NULL where the catalog says NOT NULL. */
    private static final long NULL_HASH = 0x6c6d5f6e756c6c31L;
    private static final long NULL_ROW = 0x6c6d5f6e756c6c32L;

    static String rowHash(List<Column> columns) {
        String chain = "0::bigint";
        List<String> record = new ArrayList<>();
        int chained = 0;
        for (Column c : columns) {
            String function = chained < MAX_CHAIN ? chainFunction(c) : null;
            if (function == null) {
                record.add(hashable(c));
                continue;
            }
            String value = hashable(c);
            chain = c.nullable()
                    ? "hashint8extended(coalesce(" + function + "(" + value + ", 0), " + NULL_HASH + "), " + chain + ")"
                    : function + "(" + value + ", " + chain + ")";
            chained++;
        }
        String hash = chained == 0 ? "0::bigint" : "coalesce(" + chain + ", " + NULL_ROW + ")";
        return record.isEmpty() ? hash : "hash_record_extended(ROW(" + String.join(", ", record) + "), " + hash + ")";
    }

    /** The type's extended hash function where it hashes exactly "same value" (see the class comment), else null. */
    private static String chainFunction(Column c) {
        String type = c.type().toLowerCase();
        String base = type.replaceFirst("\\(\\d+\\)$", "");
        String function = CHAINED.get(base);
        if (function != null) {
            return function;
        }
        var time = CHAINED_TIME.matcher(type);
        if (!time.matches()) {
            return null;
        }
        if (time.group(4) != null) {
            return "timetz_hash_extended";
        }
        return time.group(1).equals("timestamp") ? "timestamp_hash_extended" : "time_hash_extended";
    }

    /** The value as {@code hash_record_extended} should see it (see the class comment). */
    static String hashable(Column c) {
        String col = PostgresDialect.INSTANCE.quote(c.name());
        String type = c.type().toLowerCase();
        if (AS_IS.matcher(type).matches()) {
            return col;
        }
        if (CHARACTER.matcher(type).matches()) {
            return col + " COLLATE \"C\"";
        }
        return type.equals("json") ? col + "::jsonb" : col + "::text";
    }

    @Override
    public ChunkDigest digest(Connection c, TableId id, KeyValue lower, KeyValue upper) throws SQLException {
        String hash = recordHashing ? rowHash : "hashtextextended(" + rowText + ", 0)";
        return keyset.digest(c, "count(*), coalesce(sum(" + hash + "), 0)::text",
                PostgresDialect.INSTANCE.rowsOf(table, id), lower, upper);
    }

    @Override
    public void rows(Connection c, TableId id, KeyValue lower, KeyValue upper, RowSink sink) throws SQLException {
        rows(c, id, keyset.rangePredicate(lower, upper), ps -> keyset.bindRange(ps, 1, lower, upper), sink);
    }

    @Override
    public void rows(Connection c, TableId id, List<KeyValue> keys, RowSink sink) throws SQLException {
        rows(c, id, keyset.keyIn(keys.size()), ps -> keyset.bindKeys(ps, 1, keys), sink);
    }

    private void rows(Connection c, TableId id, String where, Binder binder, RowSink sink) throws SQLException {
        String sql = "SELECT " + keyset.keyText() + ", " + columnHashes + " FROM " + PostgresDialect.INSTANCE.rowsOf(table, id)
                + " WHERE " + where;
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setFetchSize(1000);
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                keyset.readDigestRows(rs, columns.size(), sink);
            }
        }
        finally {
            c.commit();
            c.setAutoCommit(autoCommit);
        }
    }

    @Override
    public List<String> columns() {
        return columns;
    }
}
