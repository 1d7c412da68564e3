package io.livemigrate.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The SQL spelling that differs between engines, for the SQL livemigrate builds generically
 * (key ranges, counts, deletes).
 */
public interface Dialect {

    /** An identifier quoted for this engine. */
    String quote(String identifier);

    default String table(TableId id) {
        return quote(id.schema()) + "." + quote(id.name());
    }

    /** An expression rendering a key column as exact text, read back by {@link #keyParameter}. */
    String keyAsText(Column column);

    /** Refreshes the planner statistics of a freshly loaded table (PostgreSQL's spelling; MySQL overrides). */
    default String analyze(TableId table) {
        return "ANALYZE " + table(table);
    }

    /** A bind-parameter expression turning the text of {@link #keyAsText} into a value of the column's type. */
    String keyParameter(Column column);

    /**
     * {@code select} prepared on {@code connection} to stream its rows to the client as it reads them rather than
     * hold the whole result in memory (PostgreSQL: a cursor, so the connection leaves autocommit; MySQL: the
     * driver's row-by-row streaming, in autocommit). The statement closes with its result set.
     */
    PreparedStatement streamingQuery(Connection connection, String select) throws SQLException;
}
