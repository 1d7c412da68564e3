package io.livemigrate.engine.mysql;

import io.livemigrate.engine.LoggedStatement;
import io.livemigrate.engine.StatementLogFormat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The MySQL/MariaDB general query log written to a file ({@code general_log = 1}, {@code log_output = 'FILE'}): one
 * entry per command, {@code [time]<TAB><spaces>id Command<TAB>argument}, the time only where it changed (MariaDB:
 * {@code 241204 18:50:29}; MySQL 8: {@code 2024-12-04T18:50:29.123456Z}); a statement's further lines follow as
 * they are. {@code Connect} names the user and database of a session, {@code Init DB} changes the database,
 * {@code Query} and {@code Execute} (prepared statements, values inlined) are the statements.
 */
final class MySqlGeneralLog implements StatementLogFormat {

    @Override
    public String name() {
        return "MySQL/MariaDB general log";
    }

    @Override
    public boolean recognizes(List<String> head) {
        return head.stream().anyMatch(MySqlGeneralLog::isEntry);
    }

    /** The parts of an entry line: time (maybe empty), session id, command, argument; or null for a continuation. */
    static String[] entry(String line) {
        int tab = line.indexOf('\t');
        if (tab < 0) {
            return null;
        }
        String time = line.substring(0, tab).strip();
        if (!time.isEmpty() && !Character.isDigit(time.charAt(0))) {
            return null;
        }
        String rest = line.substring(tab + 1).stripLeading();
        int space = 0;
        while (space < rest.length() && Character.isDigit(rest.charAt(space))) {
            space++;
        }
        if (space == 0 || space >= rest.length() || rest.charAt(space) != ' ') {
            return null;
        }
        String id = rest.substring(0, space);
        String commandAndArgument = rest.substring(space + 1);
        int argTab = commandAndArgument.indexOf('\t');
        String command = (argTab < 0 ? commandAndArgument : commandAndArgument.substring(0, argTab)).strip();
        if (command.isEmpty() || !Character.isUpperCase(command.charAt(0))) {
            return null;
        }
        String argument = argTab < 0 ? "" : commandAndArgument.substring(argTab + 1);
        return new String[] {time, id, command, argument};
    }

    static boolean isEntry(String line) {
        String[] e = entry(line);
        return e != null && (e[2].equals("Query") || e[2].equals("Connect") || e[2].equals("Quit")
                || e[2].equals("Init DB") || e[2].equals("Execute"));
    }

    @Override
    public Parser parser() {
        return new Parser() {
            private final Map<String, String[]> sessions = new HashMap<>(); // id -> {user, database}
            private String time;
            private String openSession;
            private StringBuilder openSql;

            @Override
            public void line(String line, Consumer<LoggedStatement> out) {
                String[] e = entry(line);
                if (e == null) {
                    if (openSql != null && !MySqlSlowLog.isServerHeader(line)) {
                        openSql.append('\n').append(line);
                    }
                    return;
                }
                end(out);
                if (!e[0].isEmpty()) {
                    time = e[0];
                }
                String id = e[1];
                switch (e[2]) {
                    case "Connect" -> sessions.put(id, connect(e[3]));
                    case "Init DB" -> sessions.computeIfAbsent(id, k -> new String[2])[1] = e[3].strip();
                    case "Quit" -> sessions.remove(id);
                    case "Query", "Execute" -> {
                        openSession = id;
                        openSql = new StringBuilder(e[3]);
                    }
                    default -> {
                        // Prepare, Close stmt, Binlog Dump, Statistics...: not statements to replay
                    }
                }
            }

            @Override
            public void end(Consumer<LoggedStatement> out) {
                if (openSql == null) {
                    return;
                }
                String sql = openSql.toString().strip();
                String[] s = sessions.getOrDefault(openSession, new String[2]);
                openSql = null;
                if (!sql.isEmpty()) {
                    out.accept(new LoggedStatement(openSession, time, -1, s[0], s[1], null, sql, List.of()));
                }
            }
        };
    }

    /** {user, database} of {@code root@localhost on shop using TCP/IP} (the database may be absent). */
    private static String[] connect(String argument) {
        String a = argument.strip();
        int at = a.indexOf('@');
        String user = at > 0 ? a.substring(0, at) : null;
        String db = null;
        int on = a.indexOf(" on ");
        if (on >= 0) {
            String rest = a.substring(on + 4).strip();
            int using = rest.indexOf(" using ");
            db = (using >= 0 ? rest.substring(0, using) : rest).strip();
            if (db.isEmpty() || db.startsWith("using")) {
                db = null;
            }
        }
        return new String[] {user, db};
    }
}
