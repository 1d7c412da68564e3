package io.livemigrate.engine;


import java.time.Instant;

/**
 * What a {@link ChangeStream} delivers, in source commit order: each source transaction as Begin, its row changes,
 * Commit. Nothing of a transaction is delivered before its Begin, and a Commit carries the position to resume after.
 */
public sealed interface ChangeEvent {

    /** A source transaction starts. */
    record Begin(Instant commitTime) implements ChangeEvent {
    }

    /** One row change inside the current transaction. */
    record Change(RowChange change) implements ChangeEvent {
    }

    /**
     * The current transaction committed on the source.
     *
     * @param position   where a restart resumes: everything up to and including this transaction is covered
     * @param commitTime the source's commit timestamp, for lag
     */
    record Commit(ChangePosition position, Instant commitTime) implements ChangeEvent {
    }

    /**
     * The stream cannot go on safely: DDL on a migrated table, a dropped slot, an expired binlog, a table without a
     * usable key. The catch-up job stops with {@code message}, which says what happened and what to do.
     */
    record Stop(String message) implements ChangeEvent {
    }
}
