package io.livemigrate.engine;


import java.util.Map;

/**
 * One row change, applied on the target as an absolute image (docs/design.md, rule 2): INSERT and UPDATE make the row equal
 * to {@code after}; DELETE makes the row with {@code before}'s key absent; an UPDATE whose {@code before} key
 * differs from {@code after}'s key also removes the old key. TRUNCATE empties the table.
 *
 * @param table  the source table
 * @param kind   what happened
 * @param before the old row's key columns at least (null for INSERT and TRUNCATE; for UPDATE, null when the key did
 *               not change and the source did not send the old image)
 * @param after  the new row, every column (null for DELETE and TRUNCATE); values may be {@link ColumnValue#UNCHANGED}
 * @param partition for a TRUNCATE of one partition of a partitioned table: that partition, which empties only it (a
 *               partition has the same name on the target: PostgreSQL tables keep their names); null otherwise
 */
public record RowChange(TableId table, Kind kind, Map<String, ColumnValue> before, Map<String, ColumnValue> after,
                        TableId partition) {

    public enum Kind { INSERT, UPDATE, DELETE, TRUNCATE }

    public RowChange(TableId table, Kind kind, Map<String, ColumnValue> before, Map<String, ColumnValue> after) {
        this(table, kind, before, after, null);
    }
}
