package io.livemigrate.engine.postgres;

import io.livemigrate.engine.ChunkDigester;
import io.livemigrate.engine.Column;
import io.livemigrate.engine.KeyValue;
import io.livemigrate.engine.KeysetSql;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * PostgreSQL chunk digests: the canonical row text is the server's own record output {@code ROW(c1, c2, ...)::text},
 * which quotes every value that needs it and writes NULL as nothing, so NULL, '' and 'a ' stay apart. The session
 * settings of {@link PostgresPoolFactory} fix how values print (UTC, ISO dates, exact floats), so timestamptz
 * compares as an instant and -0, NaN and ±Infinity print as themselves. json is compared by value through jsonb.
 * Rows hash with {@code hashtextextended(text, 0)}, the 64-bit hash hash partitioning relies on, stable across
 * versions; the chunk hash is their exact sum (numeric), so row order does not matter.
 */
final class PostgresChunkDigest implements ChunkDigester {

    private final TableInfo table;
    private final KeysetSql keyset;
    private final List<String> columns;
    private final String rowText;
    private final String columnHashes;

    PostgresChunkDigest(TableInfo table) {
        PostgresDialect d = PostgresDialect.INSTANCE;
        this.table = table;
        this.keyset = new KeysetSql(d, table);
        this.columns = table.columns().stream().map(Column::name).toList();
        List<String> values = table.columns().stream().map(PostgresChunkDigest::canonical).toList();
        this.rowText = "ROW(" + String.join(", ", values) + ")::text";
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

    @Override
    public ChunkDigest digest(Connection c, TableId id, KeyValue lower, KeyValue upper) throws SQLException {
        return keyset.digest(c, "count(*), coalesce(sum(hashtextextended(" + rowText + ", 0)), 0)::text",
                "ONLY " + PostgresDialect.INSTANCE.table(id), lower, upper);
    }

    @Override
    public void rows(Connection c, TableId id, KeyValue lower, KeyValue upper, RowSink sink) throws SQLException {
        String sql = "SELECT " + keyset.keyText() + ", " + columnHashes + " FROM ONLY " + PostgresDialect.INSTANCE.table(id)
                + " WHERE " + keyset.rangePredicate(lower, upper);
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setFetchSize(1000);
            keyset.bindRange(ps, 1, lower, upper);
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
