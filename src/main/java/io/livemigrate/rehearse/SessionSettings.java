package io.livemigrate.rehearse;

import net.sf.jsqlparser.parser.CCJSqlParserConstants;
import net.sf.jsqlparser.parser.CCJSqlParserTokenManager;
import net.sf.jsqlparser.parser.SimpleCharStream;
import net.sf.jsqlparser.parser.StringProvider;
import net.sf.jsqlparser.parser.Token;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The settings each logged session has made ({@code SET search_path ...}, {@code SET TIME ZONE ...},
 * {@code SET SESSION time_zone = ...}, {@code USE db}), the latest per setting name, so a replay runs under the same
 * ones; {@code RESET x} and {@code RESET ALL} take them back. Transaction-scoped {@code SET LOCAL} and
 * {@code SET TRANSACTION} are not session settings and are left out.
 */
final class SessionSettings {

    /**
     * Settings of the server's own statement logging and client identity: a replay session keeps its own (it stays
     * out of the log it reads), so these are not repeated.
     */
    private static final java.util.Set<String> OWN = java.util.Set.of("long_query_time", "slow_query_log",
            "log_slow_query", "log_slow_query_time", "log_slow_verbosity", "sql_log_off", "general_log",
            "log_min_duration_statement", "log_statement", "log_duration", "application_name");

    private final Map<String, LinkedHashMap<String, String>> sessions = new HashMap<>();

    /** Records a setting statement of {@code session}. */
    void record(String session, String sql) {
        List<String> words = words(sql, 3);
        if (words.size() < 2) {
            return;
        }
        LinkedHashMap<String, String> settings = sessions.computeIfAbsent(session, k -> new LinkedHashMap<>());
        String verb = words.get(0);
        String name = words.get(1);
        if (verb.equals("use")) {
            settings.remove("use");
            settings.put("use", sql);
            return;
        }
        if (name.equals("session") || name.equals("local") || name.equals("global") || name.equals("@@session")) {
            if (name.equals("local") || name.equals("global") || words.size() < 3) {
                return;
            }
            name = words.get(2);
        }
        if (name.equals("transaction") || name.equals("constraints") || OWN.contains(name)) {
            return;
        }
        if (verb.equals("reset")) {
            if (name.equals("all")) {
                settings.clear();
            }
            else {
                settings.remove(name);
            }
            return;
        }
        settings.remove(name);
        settings.put(name, sql);
    }

    /** The settings in force for {@code session}, in the order they were last made. */
    List<String> of(String session) {
        LinkedHashMap<String, String> s = sessions.get(session);
        return s == null ? List.of() : List.copyOf(s.values());
    }

    /** The first {@code n} words, lower case, as the SQL lexer reads them. */
    private static List<String> words(String sql, int n) {
        List<String> words = new ArrayList<>();
        try {
            CCJSqlParserTokenManager lexer = new CCJSqlParserTokenManager(
                    new SimpleCharStream(new StringProvider(sql), 1, 1));
            for (Token t = lexer.getNextToken(); t.kind != CCJSqlParserConstants.EOF && words.size() < n;
                 t = lexer.getNextToken()) {
                if (t.image.equals("=")) {
                    break;
                }
                words.add(t.image.toLowerCase(Locale.ROOT).replace("\"", "").replace("`", ""));
            }
        }
        catch (RuntimeException | Error e) {
            // unreadable: no name, not recorded
        }
        return words;
    }
}
