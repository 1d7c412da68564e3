package io.livemigrate.verify;

import java.util.List;

/**
 * One row that is not the same on both sides, named by its key (the key columns' exact text).
 *
 * @param columns for {@link Kind#DIFFERENT}, the columns whose values differ
 */
public record Difference(String table, String key, Kind kind, List<String> columns) {

    public enum Kind {
        /** On the source, not on the target. */
        MISSING,
        /** On the target, not on the source. */
        EXTRA,
        /** On both, with different values in {@code columns}. */
        DIFFERENT
    }

    public Difference {
        columns = List.copyOf(columns);
    }

    /** "missing on target", "extra on target", "columns differ: a, b". */
    public String describe() {
        return switch (kind) {
            case MISSING -> "missing on target";
            case EXTRA -> "extra on target";
            case DIFFERENT -> "columns differ: " + String.join(", ", columns);
        };
    }
}
