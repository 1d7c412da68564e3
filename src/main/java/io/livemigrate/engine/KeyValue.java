package io.livemigrate.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * The value of a (possibly composite) paging key, one text form per key column, as the engine's
 * {@link Dialect#keyAsText} renders it and {@link Dialect#keyParameter} reads it back. Text keeps the value exact
 * and lets it be stored in a job repository execution context as it is.
 */
public record KeyValue(List<String> parts) {

    private static final char SEPARATOR = '\u001f';

    public KeyValue {
        parts = List.copyOf(parts);
    }

    public static KeyValue of(String... parts) {
        return new KeyValue(List.of(parts));
    }

    /** One string for an execution context; the unit separator cannot appear in a key's text form in practice. */
    public String encode() {
        return String.join(String.valueOf(SEPARATOR), parts);
    }

    public static KeyValue decode(String encoded) {
        if (encoded == null) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= encoded.length(); i++) {
            if (i == encoded.length() || encoded.charAt(i) == SEPARATOR) {
                parts.add(encoded.substring(start, i));
                start = i + 1;
            }
        }
        return new KeyValue(parts);
    }

    @Override
    public String toString() {
        return parts.size() == 1 ? parts.get(0) : parts.toString();
    }
}
