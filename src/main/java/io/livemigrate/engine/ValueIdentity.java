package io.livemigrate.engine;

/**
 * How a column's text from the change stream tells its values apart, as the server's equality (its unique indexes,
 * its foreign keys) does: what parallel catch-up may compare when it decides whether two transactions touch the same
 * key (docs/design.md, "Parallel apply").
 */
public enum ValueIdentity {

    /** Equal values have equal text, and unequal ones unequal text (integers, UUIDs, bytes, deterministic text). */
    EXACT,

    /** As {@link #EXACT} once trailing spaces are removed: a PAD SPACE collation, which ignores them. */
    PAD_SPACE,

    /**
     * Values with different text may be equal (case- or accent-insensitive collations, numeric scale, -0 and 0): any
     * two values of the column are taken as possibly equal.
     */
    NONE;

    /** The text equal values share, or null for {@link #NONE}: any two values may be equal. */
    public String canonical(String text) {
        return switch (this) {
            case EXACT -> text;
            case PAD_SPACE -> stripTrailingSpaces(text);
            case NONE -> null;
        };
    }

    /** Only the space character: PAD SPACE pads with it, and tabs or other blanks stay significant. */
    private static String stripTrailingSpaces(String text) {
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == ' ') {
            end--;
        }
        return end == text.length() ? text : text.substring(0, end);
    }
}
