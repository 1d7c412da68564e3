package io.livemigrate.engine;

import java.util.List;

/**
 * A foreign key: {@code child}'s {@code childColumns} reference {@code parent}'s {@code parentColumns}, in the same
 * order. Whatever its actions: parallel catch-up orders a child's change after its parent's change of the same value
 * (docs/design.md, "Parallel apply").
 */
public record ForeignKey(String name, TableId child, List<String> childColumns, TableId parent,
                         List<String> parentColumns) {

    public ForeignKey {
        childColumns = List.copyOf(childColumns);
        parentColumns = List.copyOf(parentColumns);
        if (childColumns.size() != parentColumns.size() || childColumns.isEmpty()) {
            throw new IllegalArgumentException("foreign key " + name + " pairs " + childColumns + " with "
                    + parentColumns);
        }
    }
}
