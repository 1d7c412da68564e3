package io.livemigrate.engine.postgres;

import io.livemigrate.engine.LoggedStatement;
import io.livemigrate.engine.StatementLogFormat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * PostgreSQL's csvlog ({@code log_destination = 'csvlog'}, {@code logging_collector = on}): one CSV record per entry,
 * a quoted field may span lines. Columns used (stable since PostgreSQL 9.0, later versions only append): 0 log_time,
 * 1 user_name, 2 database_name, 5 session_id, 11 error_severity, 13 message, 14 detail, 22 application_name.
 */
final class PostgresCsvLog implements StatementLogFormat {

    private static final int MIN_COLUMNS = 23;

    @Override
    public String name() {
        return "PostgreSQL csvlog";
    }

    @Override
    public boolean recognizes(List<String> head) {
        if (head.isEmpty()) {
            return false;
        }
        List<String> fields = fields(head.get(0));
        // log_time like 2026-12-04 18:50:29.123 UTC, then a severity such as LOG or ERROR
        return fields != null && fields.size() >= MIN_COLUMNS && fields.get(0).length() >= 19
                && fields.get(0).charAt(4) == '-' && fields.get(0).charAt(10) == ' '
                && !fields.get(11).isEmpty() && Character.isUpperCase(fields.get(11).charAt(0));
    }

    @Override
    public Parser parser() {
        return new Parser() {
            private final StringBuilder pending = new StringBuilder();

            @Override
            public void line(String line, Consumer<LoggedStatement> out) {
                List<String> f;
                if (pending.length() == 0) {
                    f = fields(line);
                    if (f == null) {
                        pending.append(line); // inside a quoted field that continues on the next line
                        return;
                    }
                }
                else {
                    pending.append('\n').append(line);
                    f = fields(pending.toString());
                    if (f == null) {
                        return;
                    }
                    pending.setLength(0);
                }
                if (f.size() < MIN_COLUMNS) {
                    return;
                }
                LoggedStatement s = PostgresLogMessages.statement(f.get(11), f.get(13), f.get(14), f.get(5),
                        f.get(0), empty(f.get(1)), empty(f.get(2)), empty(f.get(22)));
                if (s != null) {
                    out.accept(s);
                }
            }

            @Override
            public void end(Consumer<LoggedStatement> out) {
                // a record is complete at its last line; an unterminated quote is a record still being written
            }
        };
    }

    private static String empty(String s) {
        return s.isEmpty() ? null : s;
    }

    /** The fields of one CSV record, or null when a quoted field is still open. */
    static List<String> fields(String record) {
        List<String> fields = new ArrayList<>(32);
        StringBuilder field = new StringBuilder();
        int n = record.length();
        int i = 0;
        boolean quoted = false;
        while (i < n) {
            if (quoted) {
                int q = record.indexOf('"', i);
                if (q < 0) {
                    return null;
                }
                field.append(record, i, q);
                if (q + 1 < n && record.charAt(q + 1) == '"') {
                    field.append('"');
                    i = q + 2;
                }
                else {
                    quoted = false;
                    i = q + 1;
                }
            }
            else {
                int j = i;
                while (j < n && record.charAt(j) != ',' && record.charAt(j) != '"') {
                    j++;
                }
                field.append(record, i, j);
                if (j < n) {
                    if (record.charAt(j) == '"') {
                        quoted = true;
                    }
                    else {
                        fields.add(field.toString());
                        field.setLength(0);
                    }
                }
                i = j + 1;
            }
        }
        if (quoted) {
            return null;
        }
        fields.add(field.toString());
        return fields;
    }
}
