package io.livemigrate.engine;

import java.util.List;

/**
 * What livemigrate knows about one table on one server.
 *
 * @param id             the table
 * @param columns        all columns in ordinal order, generated ones included
 * @param keyColumns     the columns it pages by, in key order: the primary key, else a non-null unique key;
 *                       empty when the table has neither
 * @param keyName        which key that is, for messages ({@code PRIMARY KEY}, {@code UNIQUE uk_email})
 * @param estimatedRows  the server's estimate, not a count
 * @param estimatedBytes the server's estimate of data size
 * @param partitioned    a PostgreSQL partitioned table: its rows are in its partitions, which are carried with it
 *                       (created with it, read and written through it) and are not tables of the plan themselves
 */
public record TableInfo(TableId id, List<Column> columns, List<String> keyColumns, String keyName,
                        long estimatedRows, long estimatedBytes, boolean partitioned) {

    public TableInfo {
        columns = List.copyOf(columns);
        keyColumns = List.copyOf(keyColumns);
    }

    public TableInfo(TableId id, List<Column> columns, List<String> keyColumns, String keyName, long estimatedRows,
                     long estimatedBytes) {
        this(id, columns, keyColumns, keyName, estimatedRows, estimatedBytes, false);
    }

    public boolean hasKey() {
        return !keyColumns.isEmpty();
    }

    /** The columns a copy writes: everything but generated columns, which the target computes itself. */
    public List<Column> copiedColumns() {
        return columns.stream().filter(c -> !c.generated()).toList();
    }

    public List<Column> keyColumnDefinitions() {
        return keyColumns.stream().map(this::column).toList();
    }

    public Column column(String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(id + " has no column " + name));
    }
}
