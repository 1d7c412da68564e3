package io.livemigrate.randomized;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A schema made from a seed, drawing on what real application schemas have: identity and text and composite keys,
 * enums, domains and extension types, generated columns, unique columns, foreign keys with cascades, partitioned
 * tables, mixed collations, every listed type. The same seed gives the same schema.
 */
final class RandomSchema {

    final Flavor flavor;
    final List<TableSpec> tables = new ArrayList<>();

    RandomSchema(Flavor flavor, long seed) {
        this.flavor = flavor;
        Random r = new Random(seed);
        int count = 3 + r.nextInt(4);
        List<ColumnType> types = flavor.types();
        for (int i = 0; i < count; i++) {
            TableSpec.Key key = TableSpec.Key.values()[r.nextInt(TableSpec.Key.values().length)];
            boolean hasId = key == TableSpec.Key.INT || key == TableSpec.Key.IDENTITY;
            TableSpec.Partitioning partitioning = hasId && r.nextInt(3) == 0
                    ? TableSpec.Partitioning.values()[1 + r.nextInt(3)] : TableSpec.Partitioning.NONE;
            List<TableSpec.Column> columns = new ArrayList<>();
            int n = 2 + r.nextInt(5);
            for (int c = 0; c < n; c++) {
                columns.add(new TableSpec.Column("c" + c, types.get(r.nextInt(types.size())), r.nextInt(4) > 0));
            }
            String generatedFrom = columns.stream().filter(c -> c.type().numeric()).map(TableSpec.Column::name)
                    .findFirst().orElse(null);
            // MySQL/MariaDB: a partitioned table has neither foreign keys nor unique keys without the partition column.
            boolean mysqlPartitioned = flavor == Flavor.MARIADB && partitioning != TableSpec.Partitioning.NONE;
            boolean unique = partitioning == TableSpec.Partitioning.NONE && r.nextInt(2) == 0;
            TableSpec.ForeignKey parent = mysqlPartitioned ? null : parentFor(r, tables);
            tables.add(new TableSpec("t" + i, key, key == TableSpec.Key.IDENTITY && r.nextBoolean(), columns, unique,
                    parent, partitioning, r.nextInt(3) == 0 ? null : generatedFrom));
        }
    }

    /** A foreign key to an earlier table keyed by id, half the time. */
    private TableSpec.ForeignKey parentFor(Random r, List<TableSpec> earlier) {
        List<TableSpec> candidates = earlier.stream().filter(TableSpec::hasId)
                .filter(t -> flavor != Flavor.MARIADB || t.partitioning() == TableSpec.Partitioning.NONE).toList();
        if (candidates.isEmpty() || r.nextBoolean()) {
            return null;
        }
        TableSpec parent = candidates.get(r.nextInt(candidates.size()));
        String onDelete = Flavor.pick(r, "NO ACTION", "CASCADE", "SET NULL");
        // PostgreSQL cannot cascade an ALWAYS identity key's update: it is only ever set to DEFAULT by the parent.
        return new TableSpec.ForeignKey(parent.name(), onDelete, r.nextBoolean());
    }

    void create(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String sql : flavor.prerequisites()) {
                st.execute(sql);
            }
            for (TableSpec t : tables) {
                st.execute(t.createTable(flavor));
                for (String partition : flavor.partitions(t)) {
                    st.execute(partition);
                }
            }
        }
    }

    /** Tables that other tables reference: never truncated (TRUNCATE would need CASCADE or fail). */
    boolean referenced(TableSpec t) {
        return tables.stream().anyMatch(o -> o.parent() != null && o.parent().table().equals(t.name()));
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (TableSpec t : tables) {
            sb.append(t.createTable(flavor)).append(";\n");
        }
        return sb.toString();
    }
}
