package io.livemigrate.catchup;

import io.livemigrate.engine.ChangeEvent;
import io.livemigrate.engine.RowChange;

import java.util.List;

/**
 * One whole source transaction as parallel catch-up hands it to an apply connection: its number (its place among the
 * transactions with changes, see {@link AppliedWindow}), its changes in source order, and its commit.
 */
record SourceTransaction(long seq, List<RowChange> changes, ChangeEvent.Commit commit) {

    SourceTransaction {
        changes = List.copyOf(changes);
    }
}
