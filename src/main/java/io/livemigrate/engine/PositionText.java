package io.livemigrate.engine;

import java.util.Map;
import java.util.Set;

/** The {@code engine:k=v;k=v} text form shared by the {@link ChangePosition} records. */
final class PositionText {

    private final StringBuilder text;
    private boolean first = true;

    PositionText(String engine) {
        text = new StringBuilder(engine).append(':');
    }

    /** Appends {@code field=value}; nothing when {@code value} is null (the field was absent). */
    PositionText field(String field, String value) {
        if (value != null) {
            text.append(first ? "" : ";").append(field).append('=').append(value);
            first = false;
        }
        return this;
    }

    @Override
    public String toString() {
        return text.toString();
    }

    /** A value is stored between {@code ;} separators, so it must not hold one. */
    static String value(String field, String value) {
        if (value != null && value.indexOf(';') >= 0) {
            throw new IllegalArgumentException("bad change position field: " + field);
        }
        return value;
    }

    static void onlyKnown(Map<String, String> fields, Set<String> known, String engine) {
        for (String field : fields.keySet()) {
            if (!known.contains(field)) {
                throw new IllegalArgumentException("bad change position field: " + field + " (not a field of a "
                        + engine + " position)");
            }
        }
    }

    /**
     * [a-z]+, or [a-z_]+ with underscores. Checked without regular expressions: catch-up parses and writes a position
     * often, and {@code String.matches} compiles its pattern at each call.
     */
    static boolean lowerCaseWord(String s, boolean underscores) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || underscores && c == '_')) {
                return false;
            }
        }
        return true;
    }
}
