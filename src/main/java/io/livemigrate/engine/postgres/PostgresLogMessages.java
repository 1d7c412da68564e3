package io.livemigrate.engine.postgres;

import io.livemigrate.engine.LoggedStatement;

import java.util.ArrayList;
import java.util.List;

/**
 * The statement entries of a PostgreSQL server log, whatever the file layout (csvlog, jsonlog): with
 * {@code log_min_duration_statement = 0}, {@code duration: 0.120 ms  statement: SELECT ...} for the simple protocol
 * and {@code duration: 0.050 ms  execute <unnamed>: SELECT ... $1} for the extended one, whose bound values come in
 * the entry's DETAIL ({@code parameters: $1 = '42', $2 = NULL}); with {@code log_statement = 'all'} the same without
 * the duration. The extended protocol's parse and bind entries are dropped: the execute entry is the statement.
 */
final class PostgresLogMessages {

    private static final String DURATION = "duration: ";
    private static final String STATEMENT = "statement: ";
    private static final String EXECUTE = "execute ";
    private static final String PARAMETERS = "parameters: ";

    private PostgresLogMessages() {
    }

    /** The statement an entry logs, or null when it logs none (connections, errors, parse/bind, bare durations). */
    static LoggedStatement statement(String severity, String message, String detail, String session, String at,
                                     String user, String database, String application) {
        if (message == null || severity == null || !severity.equals("LOG")) {
            return null;
        }
        long micros = -1;
        String rest = message;
        if (rest.startsWith(DURATION)) {
            int ms = rest.indexOf(" ms");
            if (ms < 0) {
                return null;
            }
            try {
                micros = Math.round(Double.parseDouble(rest.substring(DURATION.length(), ms)) * 1000);
            }
            catch (NumberFormatException e) {
                return null;
            }
            rest = rest.substring(ms + 3).stripLeading();
        }
        String sql;
        List<String> parameters = List.of();
        if (rest.startsWith(STATEMENT)) {
            sql = rest.substring(STATEMENT.length());
        }
        else if (rest.startsWith(EXECUTE)) {
            int colon = rest.indexOf(": ");
            if (colon < 0) {
                return null;
            }
            sql = rest.substring(colon + 2);
            parameters = parameters(detail);
        }
        else {
            return null;
        }
        return new LoggedStatement(session, at, micros, user, database, application, sql, parameters);
    }

    /**
     * The values of {@code parameters: $1 = '42', $2 = NULL, $3 = 'it''s'} in order; an empty list when the detail
     * holds none. The server quotes each value as a literal, doubling quotes inside.
     */
    static List<String> parameters(String detail) {
        List<String> values = new ArrayList<>();
        if (detail == null || !detail.startsWith(PARAMETERS)) {
            return values;
        }
        String s = detail.substring(PARAMETERS.length());
        int i = 0;
        while (i < s.length()) {
            int eq = s.indexOf(" = ", i);
            if (eq < 0) {
                break;
            }
            i = eq + 3;
            if (s.startsWith("NULL", i)) {
                values.add(null);
                i += 4;
            }
            else if (i < s.length() && s.charAt(i) == '\'') {
                StringBuilder v = new StringBuilder();
                i++;
                while (i < s.length()) {
                    char c = s.charAt(i);
                    if (c == '\'') {
                        if (i + 1 < s.length() && s.charAt(i + 1) == '\'') {
                            v.append('\'');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    v.append(c);
                    i++;
                }
                values.add(v.toString());
            }
            else {
                break;
            }
            if (s.startsWith(", ", i)) {
                i += 2;
            }
        }
        return values;
    }
}
