package io.livemigrate.engine;

import java.util.List;

/**
 * A foreign key with an action the source runs itself when a parent row is deleted or its referenced columns change
 * (CASCADE or SET NULL), on a server whose change log does not carry the child rows that action changes (InnoDB).
 *
 * @param name          the constraint's name, for messages
 * @param child         the referencing table
 * @param childColumns  its referencing columns, in constraint order
 * @param parent        the referenced table
 * @param parentColumns the referenced columns, in the same order
 * @param onDelete      what a parent delete does to the child rows
 * @param onUpdate      what a change of the parent's referenced columns does to the child rows
 */
public record CascadingForeignKey(String name, TableId child, List<String> childColumns, TableId parent,
                                  List<String> parentColumns, Action onDelete, Action onUpdate) {

    public enum Action { NONE, CASCADE, SET_NULL }

    public CascadingForeignKey {
        childColumns = List.copyOf(childColumns);
        parentColumns = List.copyOf(parentColumns);
    }

    /** {@code ON DELETE CASCADE} and the like, as the server prints the rule; anything else is NONE. */
    public static Action action(String rule) {
        return switch (rule == null ? "" : rule.toUpperCase(java.util.Locale.ROOT)) {
            case "CASCADE" -> Action.CASCADE;
            case "SET NULL" -> Action.SET_NULL;
            default -> Action.NONE;
        };
    }
}
