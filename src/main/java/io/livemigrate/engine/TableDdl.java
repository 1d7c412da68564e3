package io.livemigrate.engine;

import java.util.List;

/**
 * The statements that recreate a source table on the target, split so the bulk copy runs against a table with
 * only its paging key: secondary indexes and foreign keys are built after the data is in.
 *
 * @param prerequisites statements that must run first and are safe to repeat (types, sequences)
 * @param createTable   the table with its columns and primary key only
 * @param indexes       secondary indexes and unique constraints, each independent of the others
 * @param foreignKeys   foreign keys, run after every table's indexes exist
 */
public record TableDdl(List<String> prerequisites, String createTable, List<String> indexes,
                       List<String> foreignKeys) {

    public TableDdl {
        prerequisites = List.copyOf(prerequisites);
        indexes = List.copyOf(indexes);
        foreignKeys = List.copyOf(foreignKeys);
    }
}
