package io.livemigrate.engine;

import java.util.Objects;

/**
 * A table's name: {@code schema} is the PostgreSQL schema or the MySQL database.
 */
public record TableId(String schema, String name) implements Comparable<TableId> {

    /** The {@code schema.name} form used in plans, messages and partition names. */
    public String qualified() {
        return schema + "." + name;
    }

    public static TableId parse(String qualified) {
        int dot = qualified.indexOf('.');
        if (dot < 1) {
            throw new IllegalArgumentException("not a qualified table name: " + qualified);
        }
        return new TableId(qualified.substring(0, dot), qualified.substring(dot + 1));
    }

    // equals and hashCode are written out: a record's own go through a chain of method handles that C1 (the JIT
    // catch-up runs with) does not inline, and catch-up looks tables up by id for every change it applies.
    @Override
    public boolean equals(Object o) {
        return o instanceof TableId t && Objects.equals(schema, t.schema) && Objects.equals(name, t.name);
    }

    @Override
    public int hashCode() {
        return 31 * Objects.hashCode(schema) + Objects.hashCode(name);
    }

    @Override
    public int compareTo(TableId o) {
        return qualified().compareTo(o.qualified());
    }

    @Override
    public String toString() {
        return qualified();
    }
}
