package io.livemigrate.randomized;

import java.util.Random;
import java.util.function.Function;

/**
 * A column type a random schema may use, with a generator of SQL literals for it (NULL excluded: the caller decides
 * about NULL). Literals cover the values that break naive tools: extremes, '' next to NULL, trailing spaces, quotes
 * and backslashes, non-ASCII text, NaN and -0, large values.
 *
 * @param sql       the type as written in CREATE TABLE
 * @param literal   a random literal of it
 * @param numeric   an integer type a generated column can be computed from
 */
record ColumnType(String sql, Function<Random, String> literal, boolean numeric) {

    static ColumnType of(String sql, Function<Random, String> literal) {
        return new ColumnType(sql, literal, false);
    }

    static ColumnType integer(String sql, long min, long max) {
        return new ColumnType(sql, r -> switch (r.nextInt(8)) {
            case 0 -> Long.toString(min);
            case 1 -> Long.toString(max);
            case 2 -> "0";
            default -> Long.toString(Math.max(min, Math.min(max, r.nextInt(2_000_001) - 1_000_000L)));
        }, true);
    }

    /** Text in the engine's string-literal syntax: '' doubled, backslashes as {@code backslash} spells them. */
    static String text(Random r, int maxLength, String backslash) {
        String s = switch (r.nextInt(10)) {
            case 0 -> "";
            case 1 -> " ";
            case 2 -> "trail  ";
            case 3 -> "quote ' and \\ back";
            case 4 -> "é✓ ünï";
            case 5 -> "Mixed Case " + r.nextInt(100);
            default -> "v" + Long.toString(r.nextLong() & 0xffffff, 36);
        };
        if (s.length() > maxLength) {
            s = s.substring(0, maxLength);
        }
        return "'" + s.replace("'", "''").replace("\\", backslash) + "'";
    }

    /** A value of {@code size} characters, stored out of line (PostgreSQL TOAST, InnoDB off-page). */
    static String large(Random r, int size) {
        StringBuilder sb = new StringBuilder(size + 20);
        while (sb.length() < size) {
            sb.append(Long.toHexString(r.nextLong()));
        }
        return "'" + sb.substring(0, size) + "'";
    }
}
