package io.livemigrate.engine;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where change capture starts (or has got to) on a source: PostgreSQL {@code slot} and {@code lsn};
 * MySQL/MariaDB {@code file}, {@code pos} and {@code gtid}. Serialized as {@code engine:k=v;k=v} so it can be
 * stored in the job repository and parsed back, with validation.
 */
public final class ChangePosition {

    private final String engine;
    private final Map<String, String> fields;

    public ChangePosition(String engine, Map<String, String> fields) {
        if (!lowerCaseWord(engine, false)) {
            throw new IllegalArgumentException("bad change position engine: " + engine);
        }
        for (Map.Entry<String, String> e : fields.entrySet()) {
            if (!lowerCaseWord(e.getKey(), true) || e.getValue().indexOf(';') >= 0) {
                throw new IllegalArgumentException("bad change position field: " + e.getKey());
            }
        }
        this.engine = engine;
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /**
     * [a-z]+, or [a-z_]+ with underscores. Checked without regular expressions: catch-up makes a position for every
     * source transaction, and {@code String.matches} compiles its pattern at each call.
     */
    private static boolean lowerCaseWord(String s, boolean underscores) {
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

    public String engine() {
        return engine;
    }

    public String get(String field) {
        return fields.get(field);
    }

    public Map<String, String> fields() {
        return fields;
    }

    public String serialize() {
        StringBuilder sb = new StringBuilder(engine).append(':');
        fields.forEach((k, v) -> sb.append(k).append('=').append(v).append(';'));
        if (!fields.isEmpty()) {
            sb.setLength(sb.length() - 1);
        }
        return sb.toString();
    }

    public static ChangePosition parse(String serialized) {
        int colon = serialized.indexOf(':');
        if (colon < 1) {
            throw new IllegalArgumentException("not a change position: " + serialized);
        }
        Map<String, String> fields = new LinkedHashMap<>();
        String rest = serialized.substring(colon + 1);
        if (!rest.isEmpty()) {
            for (String pair : rest.split(";", -1)) {
                int eq = pair.indexOf('=');
                if (eq < 1) {
                    throw new IllegalArgumentException("not a change position: " + serialized);
                }
                fields.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return new ChangePosition(serialized.substring(0, colon), fields);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChangePosition p && p.serialize().equals(serialize());
    }

    @Override
    public int hashCode() {
        return serialize().hashCode();
    }

    @Override
    public String toString() {
        return serialize();
    }
}
