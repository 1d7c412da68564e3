package io.livemigrate.engine.mysql;

import io.livemigrate.engine.Column;
import io.livemigrate.engine.TableInfo;

import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Turns write warnings into failures. The sessions run without strict mode so that values the source holds
 * (zero dates, for one) load as they are; the price is that a value the target cannot hold exactly (a narrower
 * column, a missing column default) is only a warning. An exact copy into a same-typed table produces none, so a
 * warning means the target's value differs from the source's. The exception: warnings about generated columns,
 * which the target computes the same way the source did (with the same warning, such as an out-of-range sum).
 */
final class MySqlWarnings {

    private static final int SHOWN = 3;
    private static final Pattern COLUMN = Pattern.compile("column '((?:[^']|'')*)'");

    private final String what;
    private final Set<String> generated;

    MySqlWarnings(TableInfo table, String what) {
        this.what = what;
        this.generated = table.columns().stream().filter(Column::generated).map(Column::name)
                .collect(Collectors.toSet());
    }

    void failOnAny(Statement statement) throws SQLException {
        SQLWarning warnings = statement.getWarnings();
        statement.clearWarnings();
        List<SQLWarning> relevant = new ArrayList<>();
        for (SQLWarning w = warnings; w != null; w = w.getNextWarning()) {
            Matcher m = COLUMN.matcher(String.valueOf(w.getMessage()));
            if (!(m.find() && generated.contains(m.group(1)))) {
                relevant.add(w);
            }
        }
        if (!relevant.isEmpty()) {
            throw new SQLException(what + " changed values on the way in" + summary(relevant)
                    + "; compare the target table's definition with the source's");
        }
    }

    /** The first few warnings, for a message. */
    static String summary(List<SQLWarning> warnings) {
        return warnings.stream().limit(SHOWN).map(SQLWarning::getMessage).collect(Collectors.joining("; ", ": ", ""));
    }

    static String summary(SQLWarning first) {
        List<SQLWarning> list = new ArrayList<>();
        for (SQLWarning w = first; w != null && list.size() < SHOWN; w = w.getNextWarning()) {
            list.add(w);
        }
        return list.isEmpty() ? "" : summary(list);
    }
}
