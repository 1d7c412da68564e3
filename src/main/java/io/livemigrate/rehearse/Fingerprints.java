package io.livemigrate.rehearse;

import net.sf.jsqlparser.parser.CCJSqlParserConstants;
import net.sf.jsqlparser.parser.CCJSqlParserTokenManager;
import net.sf.jsqlparser.parser.SimpleCharStream;
import net.sf.jsqlparser.parser.StringProvider;
import net.sf.jsqlparser.parser.Token;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A statement's shape: its tokens as JSqlParser's own lexer reads them (so comments, whitespace and quoting are
 * understood, not guessed), every literal and parameter replaced by {@code ?}, a list of them collapsed to
 * {@code (?+)}, keywords and unquoted names in lower case. {@code WHERE id = 42} and {@code where id=$1} share one.
 */
final class Fingerprints {

    /** Marks a token that is a name, so "count(" stays together while "in (" keeps its blank. */
    private static final String NAME = "\u0001";

    /** Keywords followed by a parenthesised list or subquery, which keep their blank before "(". */
    private static final java.util.Set<String> CLAUSE_WORDS = java.util.Set.of("in", "exists", "values", "as", "from",
            "join", "on", "and", "or", "not", "select", "where", "when", "then", "else", "by", "having", "any", "all",
            "some", "union", "intersect", "except", "with", "using", "over", "filter", "within", "into", "set",
            "lateral", "is", "between", "like", "ilike", "case", "distinct", "returning", "table");

    private Fingerprints() {
    }

    /**
     * A statement's fingerprint, and the key under which what the parser made of it may be reused for another
     * statement: its tokens as written, each literal replaced by its kind (number, string, hex, parameter), lists not
     * collapsed. Two statements with one key differ only in their literals' values, which the parser never looks
     * at; one fingerprint may cover several keys ({@code TOP 3} parses, {@code TOP 'x'} does not).
     *
     * @param key null when the lexer gave up on the text
     */
    record Shape(String fingerprint, String key) {
    }

    static String of(String sql) {
        return shape(sql).fingerprint();
    }

    static Shape shape(String sql) {
        List<Token> lexed;
        try {
            lexed = lex(sql);
        }
        catch (RuntimeException | Error lexerGaveUp) {
            // TokenMgrError on text the lexer has no token for: the shape is the text, whitespace collapsed
            return new Shape(String.join(" ", sql.strip().split("\\s+")).toLowerCase(Locale.ROOT), null);
        }
        StringBuilder key = new StringBuilder();
        List<String> tokens = new ArrayList<>(lexed.size());
        for (Token t : lexed) {
            key.append(literal(t) ? "\u0002" + t.kind : t.image.strip()).append('\u0003');
            String text = literal(t) ? "?" : quotedName(t) ? t.image.strip() : t.image.strip().toLowerCase(Locale.ROOT);
            // a name (not a keyword) directly followed by "(" is a function call, written without a blank
            tokens.add(t.kind == CCJSqlParserConstants.S_IDENTIFIER || quotedName(t) ? NAME + text : text);
        }
        return new Shape(fingerprint(tokens), key.toString());
    }

    private static String fingerprint(List<String> tokens) {
        List<String> out = new ArrayList<>();
        for (String t : tokens) {
            out.add(t);
            collapseList(out);
        }
        while (!out.isEmpty() && out.get(out.size() - 1).equals(";")) {
            out.remove(out.size() - 1);
        }
        StringBuilder sb = new StringBuilder();
        String previous = null;
        for (String t : out) {
            boolean call = t.equals("(") && previous != null && (previous.startsWith(NAME)
                    || Character.isLetter(previous.charAt(0)) && !CLAUSE_WORDS.contains(previous));
            String text = t.startsWith(NAME) ? t.substring(1) : t;
            if (sb.length() > 0 && !call && !text.equals(",") && !text.equals(")") && !text.equals(".")
                    && !sb.toString().endsWith("(") && !sb.toString().endsWith(".")) {
                sb.append(' ');
            }
            sb.append(text);
            previous = t;
        }
        return sb.toString();
    }

    private static List<Token> lex(String sql) {
        CCJSqlParserTokenManager lexer = new CCJSqlParserTokenManager(new SimpleCharStream(new StringProvider(sql), 1, 1));
        List<Token> tokens = new ArrayList<>();
        for (Token t = lexer.getNextToken(); t.kind != CCJSqlParserConstants.EOF; t = lexer.getNextToken()) {
            tokens.add(t);
        }
        return tokens;
    }

    private static boolean literal(Token t) {
        int k = t.kind;
        return k == CCJSqlParserConstants.S_LONG || k == CCJSqlParserConstants.S_DOUBLE
                || k == CCJSqlParserConstants.S_CHAR_LITERAL || k == CCJSqlParserConstants.S_HEX
                || k == CCJSqlParserConstants.S_PARAMETER || t.image.equals("?");
    }

    private static boolean quotedName(Token t) {
        return t.image.startsWith("\"") || t.image.startsWith("`") || t.image.startsWith("[");
    }

    /** {@code ( ? , ? , ? )} at the end of {@code out} becomes {@code (?+)}. */
    private static void collapseList(List<String> out) {
        int n = out.size();
        if (n < 3 || !out.get(n - 1).equals(")")) {
            return;
        }
        int i = n - 2;
        int values = 0;
        while (i >= 0) {
            String t = out.get(i);
            if (t.equals("?") || t.equals("?+")) {
                values++;
                i--;
                if (i >= 0 && out.get(i).equals(",")) {
                    i--;
                    continue;
                }
            }
            break;
        }
        if (values > 0 && i >= 0 && out.get(i).equals("(") && (values > 1 || out.get(n - 2).equals("?+"))) {
            out.subList(i + 1, n).clear();
            out.add("?+");
            out.add(")");
        }
    }
}
