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
     * @param mark       the transaction is a cutover's mark ({@code Engine.markPosition}): the drain waits for it, so
     *                   catch-up commits it durably at once instead of waiting for the stream to go quiet
     */
    record Commit(ChangePosition position, Instant commitTime, boolean mark) implements ChangeEvent {

        public Commit(ChangePosition position, Instant commitTime) {
            this(position, commitTime, false);
        }
    }

    /**
     * The stream cannot go on safely: DDL on a migrated table, a dropped slot, an expired binlog, a table without a
     * usable key. The catch-up job stops with {@code message}, which says what happened and what to do.
     */
    record Stop(String message) implements ChangeEvent {
    }
}
