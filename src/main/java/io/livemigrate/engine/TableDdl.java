package io.livemigrate.engine;

import java.util.List;

/**
 * The statements that recreate a source table on the target, split so the bulk copy loads a table with as few
 * indexes as its engine allows: secondary indexes and foreign keys are built after the data is in, and where the
 * engine stores rows apart from the key index (PostgreSQL's heap), the paging key's index too.
 *
 * @param prerequisites statements that must run first and are safe to repeat (types, sequences)
 * @param createTable   the table with its columns, and its paging key unless {@code keyIndex} builds it
 * @param keyIndex      the statement that builds the paging key's index (primary key or unique key) after the data,
 *                      or null when {@code createTable} has it (MySQL/MariaDB: InnoDB stores rows in the primary key,
 *                      adding it later would rebuild the table)
 * @param indexes       secondary indexes and constraints that reject no row state the source had (CHECK), each
 *                      independent of the others: built when the copy's data is in
 * @param constraints   unique and exclusion constraints and unique indexes: built only once catch-up has applied past
 *                      the copy's end, because the copy is not a snapshot (two rows may briefly share a value the
 *                      source never had twice at once)
 * @param foreignKeys   foreign keys, built after the constraints, for the same reason (a child may arrive before its
 *                      parent)
 */
public record TableDdl(List<String> prerequisites, String createTable, String keyIndex, List<String> indexes,
                       List<String> constraints, List<String> foreignKeys) {

    public TableDdl {
        prerequisites = List.copyOf(prerequisites);
        indexes = List.copyOf(indexes);
        constraints = List.copyOf(constraints);
        foreignKeys = List.copyOf(foreignKeys);
    }
}
