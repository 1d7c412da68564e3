package io.livemigrate.plan;

import io.livemigrate.engine.TableId;

import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Which tables a migration moves: glob patterns over {@code schema.table} (PostgreSQL) or {@code database.table}
 * (MySQL/MariaDB). {@code *} matches any run of characters, {@code ?} one character. Exclusions win.
 */
public record TableFilter(List<String> include, List<String> exclude) implements Predicate<TableId> {

    public TableFilter {
        include = List.copyOf(include);
        exclude = List.copyOf(exclude);
    }

    /** Whether the migration moves {@code table}. */
    @Override
    public boolean test(TableId table) {
        return matches(table.qualified());
    }

    public boolean matches(String qualifiedName) {
        return include.stream().anyMatch(p -> glob(p).matcher(qualifiedName).matches())
                && exclude.stream().noneMatch(p -> glob(p).matcher(qualifiedName).matches());
    }

    static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
