package io.livemigrate.randomized;

import java.util.ArrayList;
import java.util.List;

/**
 * One table of a random schema.
 *
 * @param name         table name
 * @param key          how it is keyed
 * @param always       an identity key PostgreSQL generates ALWAYS (inserts and key moves may only use DEFAULT)
 * @param columns      its other ordinary columns
 * @param unique       a UNIQUE column (u), or none
 * @param parent       a foreign key (parent_id) to an earlier table, or none
 * @param partitioning how it is partitioned by id
 * @param generatedFrom the numeric column a generated column (g) is computed from, or null
 */
record TableSpec(String name, Key key, boolean always, List<Column> columns, boolean unique, ForeignKey parent,
                 Partitioning partitioning, String generatedFrom) {

    enum Key { INT, IDENTITY, COMPOSITE, TEXT }

    enum Partitioning { NONE, RANGE, LIST, HASH }

    record Column(String name, ColumnType type, boolean nullable) {
    }

    /** {@code parent_id} referencing {@code table(id)}; {@code onDelete} as SQL. */
    record ForeignKey(String table, String onDelete, boolean onUpdateCascade) {
    }

    List<String> keyColumns() {
        return switch (key) {
            case INT, IDENTITY -> List.of("id");
            case COMPOSITE -> List.of("a", "b");
            case TEXT -> List.of("k");
        };
    }

    String orderBy() {
        return String.join(", ", keyColumns());
    }

    boolean hasId() {
        return key == Key.INT || key == Key.IDENTITY;
    }

    String createTable(Flavor f) {
        List<String> defs = new ArrayList<>();
        switch (key) {
            case INT -> defs.add("id bigint NOT NULL");
            case IDENTITY -> defs.add(f.identityColumn(always));
            case COMPOSITE -> {
                defs.add("a int NOT NULL");
                defs.add("b varchar(10) NOT NULL");
            }
            case TEXT -> defs.add("k " + f.textKeyType() + " NOT NULL");
        }
        for (Column c : columns) {
            defs.add(c.name() + " " + c.type().sql() + (c.nullable() ? "" : " NOT NULL"));
        }
        if (unique) {
            defs.add("u varchar(30)");
        }
        if (parent != null) {
            defs.add("parent_id bigint");
        }
        if (generatedFrom != null) {
            defs.add("g " + f.generatedColumn("(" + generatedFrom + " % 1000) * 2"));
        }
        defs.add("PRIMARY KEY (" + orderBy() + ")");
        if (unique) {
            defs.add("CONSTRAINT " + name + "_u UNIQUE (u)");
        }
        if (parent != null) {
            defs.add("CONSTRAINT " + name + "_fk FOREIGN KEY (parent_id) REFERENCES " + parent.table() + " (id) ON DELETE "
                    + parent.onDelete() + (parent.onUpdateCascade() ? " ON UPDATE CASCADE" : ""));
        }
        return "CREATE TABLE " + name + " (" + String.join(", ", defs) + ")" + f.tableOptions(this);
    }
}
