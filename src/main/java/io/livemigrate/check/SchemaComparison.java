package io.livemigrate.check;

import io.livemigrate.engine.Column;
import io.livemigrate.engine.TableInfo;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Compares a table that already exists on the target with the source's, column by column and key by key, and
 * says each difference in plain words. Both sides are the same engine, so declared types compare as text.
 */
final class SchemaComparison {

    private SchemaComparison() {
    }

    /**
     * @param resuming a copy of this plan is recorded: a target table without any key is then one the interrupted
     *                 copy created, whose key index it defers until the data is in (the resumed copy builds it first)
     */
    static List<String> differences(TableInfo source, TableInfo target, boolean resuming) {
        List<String> diffs = new ArrayList<>();
        Map<String, Column> targetColumns = target.columns().stream()
                .collect(Collectors.toMap(Column::name, Function.identity()));
        for (Column s : source.columns()) {
            Column t = targetColumns.get(s.name());
            if (t == null) {
                diffs.add("column " + s.name() + " (" + s.type() + ") is missing on the target");
                continue;
            }
            if (!s.type().equalsIgnoreCase(t.type())) {
                diffs.add("column " + s.name() + " is " + s.type() + " on the source but " + t.type() + " on the target");
            }
            if (s.nullable() != t.nullable()) {
                diffs.add("column " + s.name() + " is " + (s.nullable() ? "nullable" : "NOT NULL") + " on the source but "
                        + (t.nullable() ? "nullable" : "NOT NULL") + " on the target");
            }
            if (s.generated() != t.generated()) {
                diffs.add("column " + s.name() + " is " + (s.generated() ? "" : "not ") + "generated on the source but "
                        + (t.generated() ? "" : "not ") + "on the target");
            }
        }
        source.columns().stream().map(Column::name).forEach(targetColumns::remove);
        targetColumns.values().forEach(t -> diffs.add("column " + t.name() + " exists only on the target"));
        boolean keyDeferred = resuming && !target.hasKey();
        if (!source.keyColumns().equals(target.keyColumns()) && !keyDeferred) {
            diffs.add("key differs: source pages by " + source.keyColumns() + ", target has " + target.keyColumns());
        }
        return diffs;
    }
}
