package io.livemigrate.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Server-side digests of one table's rows for verification (docs/design.md, rule 6), built once from the source definition
 * and used on both sides, so both servers compute the same canonical encoding. Only numbers cross the network for a
 * chunk; per-row column digests are fetched only for the few rows of a range that is known to differ.
 *
 * <p>The canonical encoding of a row keeps NULL apart from '' and 'a' apart from 'a ', renders timestamps as
 * instants (every session runs in UTC), floats exactly, JSON by value, and includes the key.
 */
public interface ChunkDigester {

    /** Count and order-independent hash (the exact sum of 64-bit row hashes) of the rows in {@code (lower, upper]}. */
    ChunkDigest digest(Connection c, TableId table, KeyValue lowerExclusive, KeyValue upperInclusive)
            throws SQLException;

    /**
     * Streams every row of {@code (lower, upper]} as its key and one digest per column (in {@link #columns()} order),
     * in no particular order. Memory is the caller's: nothing is collected here.
     */
    void rows(Connection c, TableId table, KeyValue lowerExclusive, KeyValue upperInclusive, RowSink sink)
            throws SQLException;

    /**
     * As {@link #rows(Connection, TableId, KeyValue, KeyValue, RowSink)}, for the rows with the given keys (the texts
     * {@link Dialect#keyParameter} reads); keys with no row are simply not streamed.
     */
    void rows(Connection c, TableId table, List<KeyValue> keys, RowSink sink) throws SQLException;

    /** The column names the per-row digests are listed in. */
    List<String> columns();

    /** @param hash decimal text of the exact sum of the row hashes ("0" for no rows) */
    record ChunkDigest(long rows, String hash) {
    }

    @FunctionalInterface
    interface RowSink {
        void accept(KeyValue key, String[] columnDigests);
    }
}
