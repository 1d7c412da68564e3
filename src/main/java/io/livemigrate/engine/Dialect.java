package io.livemigrate.engine;

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
}
