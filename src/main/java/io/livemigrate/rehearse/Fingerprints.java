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

    private Fingerprints() {
    }

    static String of(String sql) {
        List<String> tokens;
        try {
            tokens = tokens(sql);
        }
        catch (RuntimeException | Error lexerGaveUp) {
            // TokenMgrError on text the lexer has no token for: the shape is the text, whitespace collapsed
            return String.join(" ", sql.strip().split("\\s+")).toLowerCase(Locale.ROOT);
        }
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
            boolean call = t.equals("(") && previous != null && previous.startsWith(NAME);
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

    private static List<String> tokens(String sql) {
        CCJSqlParserTokenManager lexer = new CCJSqlParserTokenManager(new SimpleCharStream(new StringProvider(sql), 1, 1));
        List<String> tokens = new ArrayList<>();
        for (Token t = lexer.getNextToken(); t.kind != CCJSqlParserConstants.EOF; t = lexer.getNextToken()) {
            String text = literal(t) ? "?" : quotedName(t) ? t.image.strip() : t.image.strip().toLowerCase(Locale.ROOT);
            // a name (not a keyword) directly followed by "(" is a function call, written without a blank
            tokens.add(t.kind == CCJSqlParserConstants.S_IDENTIFIER || quotedName(t) ? NAME + text : text);
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
