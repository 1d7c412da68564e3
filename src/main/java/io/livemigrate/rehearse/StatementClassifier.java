package io.livemigrate.rehearse;

import net.sf.jsqlparser.expression.Function;
import net.sf.jsqlparser.expression.TimeKeyExpression;
import net.sf.jsqlparser.parser.CCJSqlParserConstants;
import net.sf.jsqlparser.parser.CCJSqlParserTokenManager;
import net.sf.jsqlparser.parser.CCJSqlParserUtil;
import net.sf.jsqlparser.parser.SimpleCharStream;
import net.sf.jsqlparser.parser.StringProvider;
import net.sf.jsqlparser.parser.Token;
import net.sf.jsqlparser.statement.Commit;
import net.sf.jsqlparser.statement.ExplainStatement;
import net.sf.jsqlparser.statement.RollbackStatement;
import net.sf.jsqlparser.statement.SetStatement;
import net.sf.jsqlparser.statement.ShowStatement;
import net.sf.jsqlparser.statement.Statement;
import net.sf.jsqlparser.statement.Statements;
import net.sf.jsqlparser.statement.UseStatement;
import net.sf.jsqlparser.statement.select.PlainSelect;
import net.sf.jsqlparser.statement.select.Select;
import net.sf.jsqlparser.statement.select.WithItem;
import net.sf.jsqlparser.statement.show.ShowIndexStatement;
import net.sf.jsqlparser.statement.show.ShowTablesStatement;
import net.sf.jsqlparser.util.TablesNamesFinder;

import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Decides, with a real SQL parser (JSqlParser: see the README for why and what it cannot parse), which logged
 * statements the rehearsal may replay: only those that cannot change data or take locks, i.e. {@code SELECT} without
 * {@code FOR UPDATE/SHARE} or {@code INTO}, CTEs whose every part is a SELECT, {@code SHOW} and plain {@code EXPLAIN}.
 * {@code SET} is a session setting the replay repeats; everything else is skipped with a reason. As a second guard the
 * replay runs every statement in a read-only transaction, so a function that writes fails instead of writing.
 */
public final class StatementClassifier {

    /** Functions whose result differs between two calls on the same data (time, randomness, sequences, session). */
    private static final Set<String> VOLATILE = Set.of("now", "random", "rand", "uuid", "uuid_short",
            "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v4", "clock_timestamp", "statement_timestamp",
            "transaction_timestamp", "timeofday", "sysdate", "curdate", "curtime", "current_date", "current_time",
            "current_timestamp", "localtime", "localtimestamp", "utc_timestamp", "utc_date", "utc_time",
            "unix_timestamp", "nextval", "currval", "lastval", "setval", "last_insert_id", "connection_id",
            "pg_backend_pid", "txid_current", "pg_current_xact_id", "found_rows", "row_count", "random_bytes",
            "pg_postmaster_start_time", "inet_client_addr", "inet_client_port", "version", "setseed");
    /** Functions that take locks or change state outside tables: skipped, not replayed. */
    private static final Set<String> LOCKING = Set.of("pg_advisory_lock", "pg_advisory_xact_lock",
            "pg_try_advisory_lock", "pg_try_advisory_xact_lock", "pg_advisory_lock_shared",
            "pg_advisory_xact_lock_shared", "pg_try_advisory_lock_shared", "pg_try_advisory_xact_lock_shared",
            "get_lock", "release_lock", "release_all_locks", "pg_sleep", "sleep", "benchmark", "pg_notify",
            "set_config", "pg_terminate_backend", "pg_cancel_backend", "pg_reload_conf");

    public static final String NOT_PARSED = "does not parse";

    /** Shapes whose classification is kept, the least recently used dropped beyond it. */
    static final int KNOWN_SHAPES = 10_000;

    /**
     * Classifications by {@link Fingerprints.Shape#key()}: an application repeats a few hundred shapes, and parsing
     * is most of what reading a log costs (JSqlParser parses each statement on a thread of its own, for its timeout).
     */
    private final Map<String, Classification> known = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Classification> eldest) {
            return size() > KNOWN_SHAPES;
        }
    };

    /** Not thread-safe: one classifier per reading thread. */
    public Classification classify(String sql) {
        Fingerprints.Shape shape = Fingerprints.shape(sql);
        if (shape.key() == null) {
            return parseAndClassify(sql, shape.fingerprint());
        }
        Classification c = known.get(shape.key());
        if (c == null) {
            c = parseAndClassify(sql, shape.fingerprint());
            known.put(shape.key(), c);
        }
        return c;
    }

    private Classification parseAndClassify(String sql, String fingerprint) {
        Statements parsed;
        try {
            parsed = CCJSqlParserUtil.parseStatements(sql, p -> p.withTimeOut(5000));
        }
        catch (Exception | Error e) {
            return byFirstKeyword(sql, fingerprint);
        }
        if (parsed == null || parsed.size() == 0) {
            return Classification.skip("empty", fingerprint);
        }
        if (parsed.size() > 1) {
            return Classification.skip("several statements in one", fingerprint);
        }
        return classify(parsed.get(0), fingerprint);
    }

    private Classification classify(Statement statement, String fingerprint) {
        if (statement instanceof Select select) {
            return select(select, fingerprint);
        }
        if (statement instanceof SetStatement || statement instanceof UseStatement) {
            return Classification.setting(fingerprint);
        }
        if (statement instanceof ShowStatement || statement instanceof ShowTablesStatement
                || statement instanceof ShowIndexStatement
                || statement.getClass().getSimpleName().startsWith("Show")) {
            return new Classification(Classification.Action.REPLAY, null, "server metadata (SHOW)", false, fingerprint);
        }
        if (statement instanceof ExplainStatement explain) {
            if (explain.getOption(ExplainStatement.OptionType.ANALYZE) != null) {
                // EXPLAIN ANALYZE runs the statement: only as safe as what it explains, and its output is timings
                Classification inner = explain.getStatement() == null ? null
                        : classify(explain.getStatement(), fingerprint);
                if (inner == null || inner.action() != Classification.Action.REPLAY) {
                    return Classification.skip("EXPLAIN ANALYZE of a statement that is not read-only", fingerprint);
                }
            }
            return new Classification(Classification.Action.REPLAY, null, "a plan (EXPLAIN)", false, fingerprint);
        }
        if (statement instanceof Commit || statement instanceof RollbackStatement) {
            return Classification.skip("transaction control", fingerprint);
        }
        String kind = statement.getClass().getSimpleName().toLowerCase(Locale.ROOT);
        if (kind.contains("insert") || kind.contains("update") || kind.contains("delete") || kind.contains("merge")
                || kind.contains("upsert") || kind.contains("replace") || kind.contains("truncate")) {
            return Classification.skip("writes data", fingerprint);
        }
        if (kind.contains("create") || kind.contains("alter") || kind.contains("drop") || kind.contains("grant")
                || kind.contains("comment") || kind.contains("rename") || kind.contains("analyze")) {
            return Classification.skip("changes the schema", fingerprint);
        }
        if (kind.contains("lock")) {
            return Classification.skip("takes locks", fingerprint);
        }
        return Classification.skip("not a read (" + statement.getClass().getSimpleName() + ")", fingerprint);
    }

    private Classification select(Select select, String fingerprint) {
        if (select.getForMode() != null || select.getForUpdateTable() != null || select.getForClause() != null) {
            return Classification.skip("takes locks (FOR UPDATE/SHARE)", fingerprint);
        }
        if (select instanceof PlainSelect plain && plain.getIntoTables() != null && !plain.getIntoTables().isEmpty()) {
            return Classification.skip("writes data (SELECT INTO)", fingerprint);
        }
        if (select.getWithItemsList() != null) {
            for (WithItem<?> with : select.getWithItemsList()) {
                Object part = with.getParenthesedStatement();
                if (part != null && !(part instanceof Select)) {
                    return Classification.skip("writes data (data-modifying WITH)", fingerprint);
                }
            }
        }
        List<String> functions = new ArrayList<>();
        boolean analysed = functions(select, functions);
        for (String f : functions) {
            if (LOCKING.contains(f)) {
                return Classification.skip("takes locks or changes state (" + f + ")", fingerprint);
            }
        }
        boolean ordered = select.getOrderByElements() != null && !select.getOrderByElements().isEmpty();
        String notComparable = null;
        for (String f : functions) {
            if (VOLATILE.contains(f)) {
                notComparable = "non-deterministic (" + f + ")";
                break;
            }
        }
        if (notComparable == null && !ordered && (select.getLimit() != null || select.getFetch() != null
                || select instanceof PlainSelect p && p.getTop() != null)) {
            notComparable = "LIMIT without ORDER BY";
        }
        if (notComparable == null && !analysed) {
            notComparable = "not fully analysed by the parser";
        }
        return new Classification(Classification.Action.REPLAY, null, notComparable, ordered, fingerprint);
    }

    /** Collects every function name in the statement, subqueries and CTEs included; false when the walk failed. */
    private static boolean functions(Select select, List<String> names) {
        TablesNamesFinder<Void> walker = new TablesNamesFinder<>() {
            @Override
            public <S> Void visit(Function function, S context) {
                if (function.getName() != null) {
                    String name = function.getName();
                    int dot = name.lastIndexOf('.');
                    names.add(name.substring(dot + 1).replace("\"", "").replace("`", "").toLowerCase(Locale.ROOT));
                }
                return super.visit(function, context);
            }

            @Override
            public <S> Void visit(TimeKeyExpression expression, S context) {
                names.add(expression.getStringValue().toLowerCase(Locale.ROOT).replace("()", ""));
                return super.visit(expression, context);
            }
        };
        try {
            walker.getTables((Statement) select);
            return true;
        }
        catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * A statement the parser cannot read is still named by its first keyword (read by the parser's own lexer), so
     * a session setting or a transaction boundary is not reported as unparseable.
     */
    private static Classification byFirstKeyword(String sql, String fingerprint) {
        String first;
        try {
            Token t = new CCJSqlParserTokenManager(new SimpleCharStream(new StringProvider(sql), 1, 1)).getNextToken();
            first = t.kind == CCJSqlParserConstants.EOF ? "" : t.image.toUpperCase(Locale.ROOT);
        }
        catch (RuntimeException | Error e) {
            first = "";
        }
        return switch (first) {
            case "SET", "USE", "RESET" -> Classification.setting(fingerprint);
            case "BEGIN", "START", "COMMIT", "ROLLBACK", "END", "SAVEPOINT", "RELEASE", "ABORT", "PREPARE",
                 "DEALLOCATE", "DISCARD", "XA" -> Classification.skip("transaction control", fingerprint);
            case "LOCK", "UNLOCK" -> Classification.skip("takes locks", fingerprint);
            case "INSERT", "UPDATE", "DELETE", "MERGE", "REPLACE", "COPY", "LOAD", "TRUNCATE", "CALL", "DO" ->
                    Classification.skip("writes data", fingerprint);
            case "VACUUM", "CLUSTER", "REINDEX", "OPTIMIZE", "CHECKPOINT" ->
                    Classification.skip("maintenance", fingerprint);
            default -> Classification.skip(NOT_PARSED, fingerprint);
        };
    }
}
