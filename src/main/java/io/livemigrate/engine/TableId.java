package io.livemigrate.engine;

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

    @Override
    public int compareTo(TableId o) {
        return qualified().compareTo(o.qualified());
    }

    @Override
    public String toString() {
        return qualified();
    }
}
