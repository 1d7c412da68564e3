package io.livemigrate.engine.postgres;

import io.livemigrate.engine.Column;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The statements catch-up applies row images with. One row: {@code INSERT ... VALUES (CAST(? AS type), ...) ON
 * CONFLICT (key) DO UPDATE}. Many rows: the same upsert over {@code unnest} of one text array per column, and a
 * {@code DELETE ... USING unnest(...)}: one statement, one plan and one executor start for thousands of rows instead
 * of one each, which a JDBC batch would pay per row. Values travel
 * as the same text the one-row form binds and are cast the same way.
 */
final class PostgresApplySql {

    private PostgresApplySql() {
    }

    static String upsert(TableInfo table, TableId targetTable, List<Column> columns) {
        PostgresDialect d = PostgresDialect.INSTANCE;
        String values = columns.stream().map(d::keyParameter).collect(Collectors.joining(", "));
        if (!identityValues(table, columns).isEmpty()) {
            return replacingIdentities(table, targetTable, columns, "VALUES (" + values + ")");
        }
        return "INSERT INTO " + d.table(targetTable) + " (" + names(columns) + ")" + overriding(columns) + " VALUES ("
                + values + ") " + onConflict(table, columns);
    }

    static String upsertMany(TableInfo table, TableId targetTable, List<Column> columns) {
        PostgresDialect d = PostgresDialect.INSTANCE;
        String rows = "SELECT " + casts(columns) + " FROM " + unnest(columns.size());
        if (!identityValues(table, columns).isEmpty()) {
            return replacingIdentities(table, targetTable, columns, rows);
        }
        return "INSERT INTO " + d.table(targetTable) + " (" + names(columns) + ")" + overriding(columns) + " " + rows
                + " " + onConflict(table, columns);
    }

    /**
     * The upsert for a table with a GENERATED ALWAYS identity column outside its key: PostgreSQL lets an UPDATE (and
     * ON CONFLICT DO UPDATE) set such a column only to DEFAULT, so a row whose identity value changed on the source
     * is deleted and inserted again with the source's value, in the same statement (the DELETE runs first: the insert
     * reads its row count). Session_replication_role = replica keeps foreign key actions from firing on that delete.
     * Rows whose identity values are unchanged are updated in place.
     */
    private static String replacingIdentities(TableInfo table, TableId targetTable, List<Column> columns, String rows) {
        PostgresDialect d = PostgresDialect.INSTANCE;
        String u = IntStream.range(0, columns.size()).mapToObj(i -> "c" + i).collect(Collectors.joining(", "));
        String key = table.keyColumns().stream()
                .map(k -> "t." + d.quote(k) + " = u.c" + columns.indexOf(table.column(k)))
                .collect(Collectors.joining(" AND "));
        String changed = identityValues(table, columns).stream()
                .map(c -> "t." + d.quote(c.name()) + " IS DISTINCT FROM u.c" + columns.indexOf(c))
                .collect(Collectors.joining(" OR "));
        return "WITH u(" + u + ") AS (" + rows + "), gone AS (DELETE FROM " + d.table(targetTable)
                + " AS t USING u WHERE " + key + " AND (" + changed + ") RETURNING 1) INSERT INTO "
                + d.table(targetTable) + " (" + names(columns) + ") OVERRIDING SYSTEM VALUE SELECT "
                + IntStream.range(0, columns.size()).mapToObj(i -> "u.c" + i).collect(Collectors.joining(", "))
                + " FROM u CROSS JOIN (SELECT count(*) FROM gone) AS g " + onConflict(table, columns);
    }

    /**
     * {@link io.livemigrate.engine.Engine#rewriteRowSql}: when {@code set} holds a GENERATED ALWAYS identity column,
     * the row is deleted and inserted again in one statement (as {@link #replacingIdentities}), with {@code set}'s
     * values and the old row's for the rest.
     */
    static String rewriteRow(TableInfo table, TableId targetTable, List<Column> set) {
        if (set.stream().noneMatch(Column::identityAlways)) {
            return null;
        }
        PostgresDialect d = PostgresDialect.INSTANCE;
        String v = IntStream.range(0, set.size()).mapToObj(i -> "c" + i).collect(Collectors.joining(", "));
        String key = table.keyColumns().stream().map(k -> d.quote(k) + " = " + d.keyParameter(table.column(k)))
                .collect(Collectors.joining(" AND "));
        List<Column> copied = table.copiedColumns();
        String values = copied.stream().map(c -> set.contains(c) ? "v.c" + set.indexOf(c) : "old." + d.quote(c.name()))
                .collect(Collectors.joining(", "));
        return "WITH v(" + v + ") AS (VALUES (" + set.stream().map(d::keyParameter).collect(Collectors.joining(", "))
                + ")), old AS (DELETE FROM " + d.table(targetTable) + " WHERE " + key + " RETURNING *) INSERT INTO "
                + d.table(targetTable) + " (" + names(copied) + ") OVERRIDING SYSTEM VALUE SELECT " + values
                + " FROM old CROSS JOIN v";
    }

    /** The GENERATED ALWAYS identity columns among {@code columns} that are not key columns. */
    private static List<Column> identityValues(TableInfo table, List<Column> columns) {
        return columns.stream().filter(c -> c.identityAlways() && !table.keyColumns().contains(c.name())).toList();
    }

    static String deleteMany(TableInfo table, TableId targetTable) {
        PostgresDialect d = PostgresDialect.INSTANCE;
        List<Column> keys = table.keyColumns().stream().map(table::column).toList();
        String match = IntStream.range(0, keys.size())
                .mapToObj(i -> "t." + d.quote(keys.get(i).name()) + " = " + cast(i, keys.get(i)))
                .collect(Collectors.joining(" AND "));
        return "DELETE FROM " + d.table(targetTable) + " AS t USING " + unnest(keys.size()) + " WHERE " + match;
    }

    /** The source's values of GENERATED ALWAYS identity columns are the row's: the target must take them. */
    private static String overriding(List<Column> columns) {
        return columns.stream().anyMatch(Column::identityAlways) ? " OVERRIDING SYSTEM VALUE" : "";
    }

    private static String names(List<Column> columns) {
        return columns.stream().map(c -> PostgresDialect.INSTANCE.quote(c.name())).collect(Collectors.joining(", "));
    }

    private static String casts(List<Column> columns) {
        return IntStream.range(0, columns.size()).mapToObj(i -> cast(i, columns.get(i)))
                .collect(Collectors.joining(", "));
    }

    private static String cast(int i, Column column) {
        return "CAST(u.c" + i + " AS " + column.type() + ")";
    }

    private static String unnest(int arrays) {
        return "unnest(" + IntStream.range(0, arrays).mapToObj(i -> "CAST(? AS text[])").collect(Collectors.joining(", "))
                + ") AS u(" + IntStream.range(0, arrays).mapToObj(i -> "c" + i).collect(Collectors.joining(", ")) + ")";
    }

    /**
     * Columns not listed keep their value when the row exists; a row of key columns only is left as it is. GENERATED
     * ALWAYS identity columns are never set here (see {@link #replacingIdentities}).
     */
    private static String onConflict(TableInfo table, List<Column> columns) {
        PostgresDialect d = PostgresDialect.INSTANCE;
        String update = columns.stream().filter(c -> !table.keyColumns().contains(c.name()) && !c.identityAlways())
                .map(c -> d.quote(c.name()) + " = EXCLUDED." + d.quote(c.name())).collect(Collectors.joining(", "));
        String key = table.keyColumns().stream().map(d::quote).collect(Collectors.joining(", "));
        return "ON CONFLICT (" + key + ") DO " + (update.isEmpty() ? "NOTHING" : "UPDATE SET " + update);
    }
}
