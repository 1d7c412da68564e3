package io.livemigrate.engine;

/** What a bulk copy of one key range may find on the target in that range. */
public enum TargetRange {

    /**
     * The range may hold rows (an earlier attempt, a repair): they are deleted first, in the same transaction, so the
     * copy replaces them.
     */
    REPLACE,

    /**
     * Nothing can be there: the copy created the table in this run and no attempt at this range came before. The
     * delete is skipped; on a table whose key index is not built yet it would scan the whole table.
     */
    EMPTY
}
