package io.livemigrate.engine;

import java.util.List;
import java.util.Map;

/**
 * What can make two changes of a table depend on each other besides touching the same row, as the source declares
 * it: its unique keys and the foreign keys it references others by, and how each column's text identifies its
 * values. Parallel catch-up applies two source transactions in source order when they share one of these values
 * (docs/design.md, "Parallel apply").
 *
 * @param uniqueKeys  every unique index (the primary key included) on plain columns; one on expressions or on column
 *                    prefixes is left out, since a change's values do not say what it holds (a violation it causes
 *                    is retried in source order)
 * @param foreignKeys the foreign keys whose child is this table
 * @param identity    by column name, how its text identifies its values; a column not listed is
 *                    {@link ValueIdentity#NONE}
 */
public record ApplyKeys(List<UniqueKey> uniqueKeys, List<ForeignKey> foreignKeys, Map<String, ValueIdentity> identity) {

    /**
     * @param columns       the key's columns in index order
     * @param nullsDistinct NULLs never collide (SQL's default; PostgreSQL 15's NULLS NOT DISTINCT makes them collide)
     */
    public record UniqueKey(List<String> columns, boolean nullsDistinct) {

        public UniqueKey {
            columns = List.copyOf(columns);
        }
    }

    public ApplyKeys {
        uniqueKeys = List.copyOf(uniqueKeys);
        foreignKeys = List.copyOf(foreignKeys);
        identity = Map.copyOf(identity);
    }

    public ValueIdentity identity(String column) {
        return identity.getOrDefault(column, ValueIdentity.NONE);
    }
}
