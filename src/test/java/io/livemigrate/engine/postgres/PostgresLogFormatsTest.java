package io.livemigrate.engine.postgres;

import io.livemigrate.engine.LoggedStatement;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * jsonlog (PostgreSQL 15+, which the test servers do not run) is read as csvlog is: the same entries give the same
 * statements, parameters from the DETAIL, parse/bind entries and bare durations dropped. The lines are PostgreSQL 16's
 * jsonlog for the csvlog entries the real-server tests read.
 */
class PostgresLogFormatsTest {

    @Test
    void jsonlogGivesTheStatementsAndParameters() {
        List<String> lines = Arrays.asList(
                "{\"timestamp\":\"2026-12-04 18:50:29.101 UTC\",\"user\":\"app\",\"dbname\":\"shop\",\"pid\":42,"
                        + "\"session_id\":\"6750a.2a\",\"line_num\":1,\"error_severity\":\"LOG\",\"message\":"
                        + "\"duration: 0.052 ms  parse <unnamed>: SELECT id FROM t WHERE tag = $1\","
                        + "\"application_name\":\"shop-app\",\"backend_type\":\"client backend\"}",
                "{\"timestamp\":\"2026-12-04 18:50:29.102 UTC\",\"user\":\"app\",\"dbname\":\"shop\",\"pid\":42,"
                        + "\"session_id\":\"6750a.2a\",\"line_num\":3,\"error_severity\":\"LOG\",\"message\":"
                        + "\"duration: 0.120 ms  execute <unnamed>: SELECT id FROM t WHERE tag = $1 AND n = $2\","
                        + "\"detail\":\"parameters: $1 = 'it''s', $2 = NULL\",\"application_name\":\"shop-app\"}",
                "{\"timestamp\":\"2026-12-04 18:50:29.103 UTC\",\"user\":\"app\",\"dbname\":\"shop\",\"pid\":42,"
                        + "\"session_id\":\"6750a.2a\",\"line_num\":4,\"error_severity\":\"LOG\",\"message\":"
                        + "\"duration: 1.500 ms  statement: SELECT count(*) FROM t\"}",
                "{\"timestamp\":\"2026-12-04 18:50:29.104 UTC\",\"user\":\"app\",\"dbname\":\"shop\",\"pid\":42,"
                        + "\"session_id\":\"6750a.2a\",\"line_num\":5,\"error_severity\":\"ERROR\",\"message\":"
                        + "\"relation \\\"x\\\" does not exist\"}");
        PostgresJsonLog format = new PostgresJsonLog();
        assertThat(format.recognizes(lines)).isTrue();
        assertThat(new PostgresCsvLog().recognizes(lines)).isFalse();
        List<LoggedStatement> out = new ArrayList<>();
        var parser = format.parser();
        lines.forEach(l -> parser.line(l, out::add));
        parser.end(out::add);
        assertThat(out).hasSize(2);
        assertThat(out.get(0).sql()).isEqualTo("SELECT id FROM t WHERE tag = $1 AND n = $2");
        assertThat(out.get(0).parameters()).containsExactly("it's", null);
        assertThat(out.get(0).durationMicros()).isEqualTo(120);
        assertThat(out.get(0).session()).isEqualTo("6750a.2a");
        assertThat(out.get(0).database()).isEqualTo("shop");
        assertThat(out.get(0).user()).isEqualTo("app");
        assertThat(out.get(1).sql()).isEqualTo("SELECT count(*) FROM t");
        assertThat(out.get(1).parameters()).isEmpty();
    }

    @Test
    void csvRecordsSpanLinesInsideQuotedFields() {
        List<String> fields = PostgresCsvLog.fields("a,\"b,\"\"c\"\"\",,d");
        assertThat(fields).containsExactly("a", "b,\"c\"", "", "d");
        assertThat(PostgresCsvLog.fields("a,\"open")).isNull();
    }

    @Test
    void placeholdersBecomeJdbcOnesOutsideLiteralsAndDollarQuotes() {
        List<Integer> order = new ArrayList<>();
        assertThat(PostgresRehearsal.jdbcPlaceholders("SELECT $2, '$1', $$ $1 $$, \"$1\" FROM t WHERE a = $1 "
                + "AND b ? 'k' -- $3", order)).isEqualTo("SELECT ?, '$1', $$ $1 $$, \"$1\" FROM t WHERE a = ? "
                + "AND b ?? 'k' -- $3");
        assertThat(order).containsExactly(2, 1);
    }
}
