package io.livemigrate.keyrange;

import io.livemigrate.engine.KeyValue;
import io.livemigrate.engine.TableInfo;

/** The item of the copy's chunk-oriented step: about {@code chunk-rows} rows of one table, keys in {@code (lower, upper]}. */
public record KeySlice(TableInfo table, KeyValue lower, KeyValue upper) {
}
