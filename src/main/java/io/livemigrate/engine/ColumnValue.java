package io.livemigrate.engine;

/**
 * One column value of a row image from a change stream: exact text in the engine's input syntax (what the engine's
 * {@code Dialect.keyParameter} style casts read back), SQL NULL, or unchanged (PostgreSQL TOAST values pgoutput
 * does not resend, marker 'u': the target keeps what it has).
 */
public record ColumnValue(String text, Kind kind) {

    public enum Kind { VALUE, NULL, UNCHANGED }

    public static final ColumnValue NULL = new ColumnValue(null, Kind.NULL);
    public static final ColumnValue UNCHANGED = new ColumnValue(null, Kind.UNCHANGED);

    public static ColumnValue of(String text) {
        return text == null ? NULL : new ColumnValue(text, Kind.VALUE);
    }

    public boolean isNull() {
        return kind == Kind.NULL;
    }

    public boolean isUnchanged() {
        return kind == Kind.UNCHANGED;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case NULL -> "NULL";
            case UNCHANGED -> "(unchanged)";
            // Row values can be secrets of the application: never print them whole.
            case VALUE -> "'" + (text.length() > 40 ? text.substring(0, 40) + "...'" : text + "'");
        };
    }
}
