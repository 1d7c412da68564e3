package io.livemigrate.engine.mysql;

import io.livemigrate.engine.LoggedStatement;
import io.livemigrate.engine.StatementLogFormat;

import java.util.List;
import java.util.function.Consumer;

/**
 * The MySQL/MariaDB slow query log written to a file ({@code slow_query_log = 1}, {@code long_query_time = 0},
 * {@code log_output = 'FILE'}): per statement a few {@code # } header lines (Time, User@Host, MariaDB's Thread_id and
 * Schema, Query_time), then optional {@code use db;} and {@code SET timestamp=N;} lines the server adds, then the
 * statement, which may span lines and ends with {@code ;}. MySQL 8 gives the session as {@code Id:} on the User@Host
 * line, MariaDB as {@code Thread_id:}.
 */
final class MySqlSlowLog implements StatementLogFormat {

    @Override
    public String name() {
        return "MySQL/MariaDB slow log";
    }

    @Override
    public boolean recognizes(List<String> head) {
        boolean serverHeader = head.stream().anyMatch(l -> l.contains(", Version: ") && l.contains("started with:"));
        boolean entries = head.stream().anyMatch(l -> l.startsWith("# Query_time:") || l.startsWith("# User@Host:"));
        boolean general = head.stream().anyMatch(MySqlGeneralLog::isEntry);
        return entries || serverHeader && !general;
    }

    @Override
    public Parser parser() {
        return new Parser() {
            private final StringBuilder sql = new StringBuilder();
            private String time;
            private String user;
            private String session;
            private String schema;
            private long micros = -1;
            /** The schema each session is in, from its {@code use db;} lines (MySQL 8 logs no Schema field). */
            private final java.util.Map<String, String> schemas = new java.util.HashMap<>();

            @Override
            public void line(String line, Consumer<LoggedStatement> out) {
                if (line.startsWith("# ")) {
                    if (line.startsWith("# Time:") || line.startsWith("# User@Host:")) {
                        end(out);
                    }
                    header(line);
                    return;
                }
                if (sql.length() == 0 && isServerHeader(line)) {
                    return;
                }
                String trimmed = line.strip();
                if (sql.length() == 0 && trimmed.regionMatches(true, 0, "use ", 0, 4) && trimmed.endsWith(";")) {
                    schema = unquote(trimmed.substring(4, trimmed.length() - 1).strip());
                    if (session != null) {
                        schemas.put(session, schema);
                    }
                    return;
                }
                if (sql.length() == 0 && trimmed.regionMatches(true, 0, "SET timestamp=", 0, 14)
                        && trimmed.endsWith(";") && trimmed.indexOf(',') < 0) {
                    return; // added by the server to each entry, not sent by the application
                }
                if (sql.length() > 0) {
                    sql.append('\n');
                }
                sql.append(line);
            }

            private void header(String line) {
                if (line.startsWith("# Time:")) {
                    time = line.substring(7).strip();
                }
                else if (line.startsWith("# User@Host:")) {
                    String rest = line.substring(12).strip();
                    int bracket = rest.indexOf('[');
                    user = bracket > 0 ? rest.substring(0, bracket) : null;
                    String id = field(line, "Id:");
                    if (id != null) {
                        session = id;
                    }
                }
                else if (line.startsWith("# Thread_id:")) {
                    session = field(line, "Thread_id:");
                    String s = field(line, "Schema:");
                    if (s != null && !s.isEmpty()) {
                        schema = s;
                    }
                }
                else if (line.startsWith("# Query_time:")) {
                    String t = field(line, "Query_time:");
                    try {
                        micros = t == null ? -1 : Math.round(Double.parseDouble(t) * 1_000_000);
                    }
                    catch (NumberFormatException e) {
                        micros = -1;
                    }
                }
            }

            @Override
            public void end(Consumer<LoggedStatement> out) {
                String text = sql.toString().strip();
                sql.setLength(0);
                if (text.endsWith(";")) {
                    text = text.substring(0, text.length() - 1).strip();
                }
                if (!text.isEmpty()) {
                    String db = schema != null ? schema : session == null ? null : schemas.get(session);
                    out.accept(new LoggedStatement(session == null ? "?" : session, time, micros, user, db, null,
                            text, List.of()));
                }
                micros = -1;
                schema = null;
            }
        };
    }

    /** The lines a server writes when it opens the log; its column line is "Time", tabs, "Id Command", tab, "Argument". */
    static boolean isServerHeader(String line) {
        return line.contains(", Version: ") && line.contains("started with:") || line.startsWith("Tcp port: ")
                || line.startsWith("Time") && line.contains("Id Command");
    }

    /** The value after {@code key} up to the next blank in a header line, or null. */
    private static String field(String line, String key) {
        int i = line.indexOf(key);
        if (i < 0) {
            return null;
        }
        String rest = line.substring(i + key.length()).stripLeading();
        int end = 0;
        while (end < rest.length() && !Character.isWhitespace(rest.charAt(end))) {
            end++;
        }
        return rest.substring(0, end);
    }

    static String unquote(String name) {
        return name.length() >= 2 && name.charAt(0) == '`' && name.charAt(name.length() - 1) == '`'
                ? name.substring(1, name.length() - 1).replace("``", "`") : name;
    }
}
