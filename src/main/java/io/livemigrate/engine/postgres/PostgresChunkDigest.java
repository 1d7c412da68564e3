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
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * PostgreSQL chunk digests. A row's 64-bit hash is {@code hash_record_extended(ROW(v1, v2, ...), 0)} (PostgreSQL 14+):
 * each value hashed by its type's own extended hash function, the one hash partitioning relies on and so stable
 * across versions, with no detour through text; that is three times cheaper than hashing the row's text. Only types
 * whose hash is exactly "same value" go in as they are: integers, boolean, bytea, date, time, timestamps (an
 * instant, whatever the session zone), uuid, jsonb (by value: key order and whitespace do not count; json is cast to
 * jsonb), and character types under the "C" collation (bytewise, so 'a' and 'a ' differ in text and varchar, and a
 * nondeterministic collation cannot make 'A' equal 'a'). Every other type is hashed as its text form, which keeps
 * apart what the type's own equality would merge: -0 and 0 or NaN payloads (float), 1.0 and 1.00 (numeric),
 * '1 day' and '24 hours' (interval), and enums whose hash would be their per-database OIDs. NULL hashes apart from
 * every value. The chunk hash is the exact sum (numeric) of the row hashes, so row order does not matter. Before
 * PostgreSQL 14 the row's text ({@code ROW(...)::text}, NULL as nothing) is hashed with {@code hashtextextended}.
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
        this.rowHash = "hash_record_extended(ROW(" + table.columns().stream().map(PostgresChunkDigest::hashable)
                .collect(Collectors.joining(", ")) + "), 0)";
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
                "ONLY " + PostgresDialect.INSTANCE.table(id), lower, upper);
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
        String sql = "SELECT " + keyset.keyText() + ", " + columnHashes + " FROM ONLY " + PostgresDialect.INSTANCE.table(id)
                + " WHERE " + where;
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setFetchSize(1000);
            binder.bind(ps);
            int keys = table.keyColumns().size();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String[] hashes = new String[columns.size()];
                    for (int i = 0; i < hashes.length; i++) {
                        hashes[i] = rs.getString(keys + 1 + i);
                    }
                    sink.accept(keyset.read(rs, 1), hashes);
                }
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
