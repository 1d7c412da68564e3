package io.livemigrate.engine.postgres;

import io.livemigrate.engine.LoggedStatement;
import io.livemigrate.engine.StatementLogFormat;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;
import java.util.function.Consumer;

/**
 * PostgreSQL's jsonlog (15 and later, {@code log_destination = 'jsonlog'}): one JSON object per line with keys
 * {@code timestamp, user, dbname, session_id, error_severity, message, detail, application_name}; keys whose value
 * is empty are left out.
 */
final class PostgresJsonLog implements StatementLogFormat {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Override
    public String name() {
        return "PostgreSQL jsonlog";
    }

    @Override
    public boolean recognizes(List<String> head) {
        if (head.isEmpty() || !head.get(0).startsWith("{")) {
            return false;
        }
        JsonNode n = parse(head.get(0));
        return n != null && n.has("timestamp") && n.has("error_severity") && n.has("session_id");
    }

    @Override
    public Parser parser() {
        return new Parser() {
            @Override
            public void line(String line, Consumer<LoggedStatement> out) {
                JsonNode n = line.startsWith("{") ? parse(line) : null;
                if (n == null) {
                    return;
                }
                LoggedStatement s = PostgresLogMessages.statement(text(n, "error_severity"), text(n, "message"),
                        text(n, "detail"), text(n, "session_id"), text(n, "timestamp"), text(n, "user"),
                        text(n, "dbname"), text(n, "application_name"));
                if (s != null) {
                    out.accept(s);
                }
            }

            @Override
            public void end(Consumer<LoggedStatement> out) {
            }
        };
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        }
        catch (RuntimeException e) {
            return null;
        }
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? null : v.asString();
    }
}
