package io.livemigrate.verify;

import io.livemigrate.core.MigrationResources;
import io.livemigrate.engine.Column;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Before anything is compared: every table exists on both sides with the same columns, types and paging key.
 * Each problem is one plain sentence naming the table; a table with a problem is never compared.
 */
public final class SchemaCheck {

    private SchemaCheck() {
    }

    public static List<String> problems(MigrationResources resources, List<TableId> tables) throws SQLException {
        List<String> problems = new ArrayList<>();
        try (Connection s = resources.source().getConnection(); Connection t = resources.target().getConnection()) {
            for (TableId id : tables) {
                TableId targetId = resources.plan().targetTable(id);
                Optional<TableInfo> source = resources.engine().describe(s, id);
                Optional<TableInfo> target = resources.engine().describe(t, targetId);
                if (source.isEmpty()) {
                    problems.add(id + ": missing on the source");
                    continue;
                }
                if (target.isEmpty()) {
                    problems.add(id + ": missing on the target" + (targetId.equals(id) ? "" : " (as " + targetId + ")"));
                    continue;
                }
                problems.addAll(compare(source.get(), target.get()));
            }
        }
        return problems;
    }

    static List<String> compare(TableInfo source, TableInfo target) {
        List<String> problems = new ArrayList<>();
        String name = source.id().qualified();
        for (Column c : source.columns()) {
            Optional<Column> other = target.columns().stream().filter(o -> o.name().equals(c.name())).findFirst();
            if (other.isEmpty()) {
                problems.add(name + ": column " + c.name() + " is missing on the target");
            }
            else if (!other.get().type().equalsIgnoreCase(c.type())) {
                problems.add(name + ": column " + c.name() + " is " + c.type() + " on the source but "
                        + other.get().type() + " on the target");
            }
        }
        for (Column c : target.columns()) {
            if (source.columns().stream().noneMatch(o -> o.name().equals(c.name()))) {
                problems.add(name + ": column " + c.name() + " exists only on the target");
            }
        }
        if (!source.hasKey()) {
            problems.add(name + ": has no primary key and no unique key on NOT NULL columns on the source, so rows "
                    + "cannot be matched by key");
        }
        else if (!source.keyColumns().equals(target.keyColumns())) {
            problems.add(name + ": the key changed: the source pages by " + source.keyName() + " " + source.keyColumns()
                    + ", the target by " + (target.hasKey() ? target.keyName() + " " + target.keyColumns() : "no key"));
        }
        return problems;
    }
}
