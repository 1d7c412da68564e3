package io.livemigrate.engine.mysql;

import io.livemigrate.engine.TableId;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a statement in a binlog QUERY event does to the migrated tables. Deliberately conservative: any DDL that
 * names a migrated table (even only as {@code CREATE TABLE x LIKE orders}) counts, because a false stop costs an
 * operator a minute and a missed one costs silent drift.
 */
final class MySqlStatementScan {

    enum Kind { DDL, TRUNCATE, DML, OTHER }

    record Result(Kind kind, Set<TableId> migratedTables) {
    }

    private static final Pattern COMMENT = Pattern.compile("/\\*(?!!)[\\s\\S]*?\\*/|(?m)(?:--\\s|#).*$");
    /** MySQL executable comments ({@code /*!40000 ... *}{@code /}) run on the server: keep their text. */
    private static final Pattern EXECUTABLE_COMMENT = Pattern.compile("/\\*!\\d*|/\\*M!\\d*|\\*/");
    private static final Pattern STRING = Pattern.compile("'(?:[^'\\\\]|\\\\.|'')*'|\"(?:[^\"\\\\]|\\\\.|\"\")*\"");
    private static final String IDENT = "(`(?:[^`]|``)+`|[A-Za-z0-9_$\\u0080-\\uFFFF]+)";
    private static final Pattern NAME = Pattern.compile(IDENT + "(?:\\s*\\.\\s*" + IDENT + ")?");
    private static final Pattern FIRST_WORD = Pattern.compile("^\\s*([A-Za-z]+)");

    private MySqlStatementScan() {
    }

    static Result scan(String sql, String defaultDatabase, Set<TableId> migrated) {
        String text = STRING.matcher(EXECUTABLE_COMMENT.matcher(COMMENT.matcher(sql).replaceAll(" "))
                .replaceAll(" ")).replaceAll("''");
        Matcher first = FIRST_WORD.matcher(text);
        String word = first.find() ? first.group(1).toUpperCase(Locale.ROOT) : "";
        Kind kind = switch (word) {
            case "ALTER", "CREATE", "DROP", "RENAME" -> Kind.DDL;
            case "TRUNCATE" -> Kind.TRUNCATE;
            case "INSERT", "UPDATE", "DELETE", "REPLACE", "LOAD" -> Kind.DML;
            default -> Kind.OTHER;
        };
        Set<TableId> touched = new LinkedHashSet<>();
        if (kind != Kind.OTHER) {
            Matcher m = NAME.matcher(text);
            while (m.find()) {
                String a = unquote(m.group(1));
                String b = m.group(2) == null ? null : unquote(m.group(2));
                String schema = b == null ? defaultDatabase : a;
                String table = b == null ? a : b;
                for (TableId t : migrated) {
                    if (t.name().equalsIgnoreCase(table) && schema != null && t.schema().equalsIgnoreCase(schema)) {
                        touched.add(t);
                    }
                }
            }
        }
        return new Result(kind, touched);
    }

    private static String unquote(String identifier) {
        return identifier.startsWith("`")
                ? identifier.substring(1, identifier.length() - 1).replace("``", "`")
                : identifier;
    }
}
