package io.livemigrate.rehearse;

import java.util.ArrayList;
import java.util.List;

/** Small text helpers of the rehearsal's store: lists kept in one column, and lengths the columns allow. */
final class Texts {

    private static final char SEPARATOR = '\u001f';

    private Texts() {
    }

    /** A list in one column: elements joined by the unit separator, SQL NULL elements as \u0000. */
    static String joinList(List<String> values) {
        if (values == null || values.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (String v : values) {
            if (sb.length() > 0) {
                sb.append(SEPARATOR);
            }
            sb.append(v == null ? "\u0000" : v);
        }
        return sb.toString();
    }

    static List<String> splitList(String joined) {
        List<String> values = new ArrayList<>();
        if (joined == null) {
            return values;
        }
        for (String v : joined.split(String.valueOf(SEPARATOR), -1)) {
            values.add(v.equals("\u0000") ? null : v);
        }
        return values;
    }

    static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }

    /** A stable 64-bit id of a fingerprint, as 16 hex digits: the key of its rows. */
    static String id(String fingerprint) {
        long h = 1125899906842597L;
        for (int i = 0; i < fingerprint.length(); i++) {
            h = 31 * h + fingerprint.charAt(i);
        }
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        return String.format("%016x", h);
    }
}
