package io.livemigrate.engine.mysql;

import io.livemigrate.engine.Column;
import io.livemigrate.engine.TableInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * How each copied column is read on the source and written on the target, shared by the LOAD DATA path and the
 * INSERT fallback so both carry identical bytes.
 *
 * <p>Columns are read as the raw bytes the server sends (their own character set, see {@link MySqlPools}) and
 * stored unchanged. BIT values arrive as their raw big-endian bytes, which a BIT column stores as they are. Two
 * kinds need a conversion:
 * <ul>
 *   <li>FLOAT: the server prints a float with 6 significant digits (1.0000001 prints as 1), so it is read widened to
 *       double, whose text is exact, and the target narrows it back to the identical float;</li>
 *   <li>MySQL JSON: refuses values in the binary character set, so they are labelled utf8mb4 on the target.</li>
 * </ul>
 * A LOAD DATA with a SET clause ignores NO_AUTO_VALUE_ON_ZERO for a column loaded directly (MariaDB 10.11 turns
 * an AUTO_INCREMENT 0 into the next value), so once any column needs SET, every column goes through a variable.
 */
final class MySqlCopyColumns {

    private record Spec(Column column, String select, String convert) {
    }

    private final List<Spec> specs;

    MySqlCopyColumns(TableInfo table) {
        MySqlDialect d = MySqlDialect.INSTANCE;
        List<Spec> list = new ArrayList<>();
        for (Column c : table.copiedColumns()) {
            String col = d.quote(c.name());
            list.add(switch (MySqlColumnType.of(c)) {
                case FLOAT -> new Spec(c, col + "*1e0", null);
                case JSON -> new Spec(c, col, "CONVERT(%s USING utf8mb4)");
                default -> new Spec(c, col, null);
            });
        }
        this.specs = List.copyOf(list);
    }

    int size() {
        return specs.size();
    }

    /** The source SELECT list. */
    String selectList() {
        return specs.stream().map(Spec::select).collect(Collectors.joining(", "));
    }

    /** The target column names, for INSERT. */
    String columnList() {
        return specs.stream().map(s -> MySqlDialect.INSTANCE.quote(s.column().name()))
                .collect(Collectors.joining(", "));
    }

    /** One row's VALUES tuple for INSERT, with each value's conversion around its parameter. */
    String valuesTuple() {
        return specs.stream().map(s -> s.convert() == null ? "?" : s.convert().formatted("?"))
                .collect(Collectors.joining(", ", "(", ")"));
    }

    /** The LOAD DATA column list, with a SET clause when a column needs converting (see the class comment). */
    String loadDataTargets() {
        MySqlDialect d = MySqlDialect.INSTANCE;
        if (specs.stream().allMatch(s -> s.convert() == null)) {
            return "(" + columnList() + ")";
        }
        List<String> vars = new ArrayList<>();
        List<String> sets = new ArrayList<>();
        for (int i = 0; i < specs.size(); i++) {
            Spec s = specs.get(i);
            String var = "@lm" + i;
            vars.add(var);
            sets.add(d.quote(s.column().name()) + " = " + (s.convert() == null ? var : s.convert().formatted(var)));
        }
        return "(" + String.join(", ", vars) + ") SET " + String.join(", ", sets);
    }
}
