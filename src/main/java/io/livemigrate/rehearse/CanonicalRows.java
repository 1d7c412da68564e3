package io.livemigrate.rehearse;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A query result reduced to what the rehearsal compares: the row count and a 64-bit hash of a canonical encoding of
 * every value, summed over rows when the row order is not part of the result and chained when it is (ORDER BY). The
 * encoding follows verification's rules (docs/design.md, "Verification (details)"): NULL is not '' (a NULL marker
 * versus a length-prefixed string), 'a' is not 'a ', numerics keep their scale (1.0 is not 1.00), floats by their
 * exact decimal form with -0 and NaN spelled out, timestamps with a zone as instants, bytes as hex, everything else
 * as the driver's text. The first {@link #KEPT_ROWS} rows are kept readable to show what differs.
 */
final class CanonicalRows {

    static final int KEPT_ROWS = 1000;

    final long count;
    final long hash;
    final List<String> rows;
    final List<String> columns;

    private CanonicalRows(long count, long hash, List<String> rows, List<String> columns) {
        this.count = count;
        this.hash = hash;
        this.rows = rows;
        this.columns = columns;
    }

    static CanonicalRows read(ResultSet rs, boolean ordered) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        int n = md.getColumnCount();
        List<String> columns = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
            columns.add(md.getColumnLabel(i));
        }
        MessageDigest sha = sha256();
        long count = 0;
        long hash = 0;
        List<String> kept = new ArrayList<>();
        StringBuilder row = new StringBuilder();
        while (rs.next()) {
            row.setLength(0);
            for (int i = 1; i <= n; i++) {
                String v = value(rs, i, md.getColumnType(i));
                if (v == null) {
                    row.append("N;");
                }
                else {
                    row.append(v.length()).append(':').append(v).append(';');
                }
            }
            long h = hash64(sha, row.toString());
            hash = ordered ? hash * 0x9E3779B97F4A7C15L + h : hash + h;
            if (kept.size() < KEPT_ROWS) {
                kept.add(readable(row.toString()));
            }
            count++;
        }
        return new CanonicalRows(count, hash, kept, columns);
    }

    /** The result of a statement that returned no rows (an update count). */
    static CanonicalRows empty() {
        return new CanonicalRows(0, 0, List.of(), List.of());
    }

    boolean sameAs(CanonicalRows other) {
        return count == other.count && hash == other.hash;
    }

    /** One value's canonical text, or null for SQL NULL. */
    static String value(ResultSet rs, int i, int type) throws SQLException {
        switch (type) {
            case Types.NUMERIC, Types.DECIMAL -> {
                BigDecimal d = rs.getBigDecimal(i);
                return d == null ? null : d.toPlainString();
            }
            case Types.REAL, Types.FLOAT, Types.DOUBLE -> {
                double d = rs.getDouble(i);
                if (rs.wasNull()) {
                    return null;
                }
                if (Double.isNaN(d)) {
                    return "NaN";
                }
                if (d == 0) {
                    return 1 / d < 0 ? "-0" : "0";
                }
                return Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity") : new BigDecimal(d).toPlainString();
            }
            case Types.TIMESTAMP_WITH_TIMEZONE -> {
                OffsetDateTime t = rs.getObject(i, OffsetDateTime.class);
                return t == null ? null : t.toInstant().toString();
            }
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> {
                byte[] b = rs.getBytes(i);
                return b == null ? null : "x" + HexFormat.of().formatHex(b);
            }
            default -> {
                return rs.getString(i);
            }
        }
    }

    /** The encoded row as {@code (v1, v2, NULL)} for a report. */
    private static String readable(String encoded) {
        StringBuilder out = new StringBuilder("(");
        int i = 0;
        while (i < encoded.length()) {
            if (out.length() > 1) {
                out.append(", ");
            }
            if (encoded.charAt(i) == 'N') {
                out.append("NULL");
                i += 2;
                continue;
            }
            int colon = encoded.indexOf(':', i);
            int len = Integer.parseInt(encoded.substring(i, colon));
            String v = encoded.substring(colon + 1, colon + 1 + len);
            out.append('\'').append(v.replace("'", "''")).append('\'');
            i = colon + 1 + len + 1;
        }
        return out.append(')').toString();
    }

    private static long hash64(MessageDigest sha, String s) {
        byte[] d = sha.digest(s.getBytes(StandardCharsets.UTF_8));
        long h = 0;
        for (int i = 0; i < 8; i++) {
            h = h << 8 | (d[i] & 0xff);
        }
        return h;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Up to {@code limit} rows that one side has and the other has not, as {@code source: (...)} / {@code target:
     * (...)} lines: by position when ordered, as multisets otherwise; from the kept rows only.
     */
    static List<String> firstDifferences(CanonicalRows source, CanonicalRows target, boolean ordered, int limit) {
        List<String> out = new ArrayList<>();
        if (ordered) {
            int n = Math.max(source.rows.size(), target.rows.size());
            for (int i = 0; i < n && out.size() < limit; i++) {
                String s = i < source.rows.size() ? source.rows.get(i) : null;
                String t = i < target.rows.size() ? target.rows.get(i) : null;
                if (s == null ? t != null : !s.equals(t)) {
                    out.add("row " + (i + 1) + ": source " + (s == null ? "(none)" : s) + ", target "
                            + (t == null ? "(none)" : t));
                }
            }
            return out;
        }
        java.util.Map<String, Integer> counts = new java.util.HashMap<>();
        source.rows.forEach(r -> counts.merge(r, 1, Integer::sum));
        target.rows.forEach(r -> counts.merge(r, -1, Integer::sum));
        for (String r : source.rows) {
            if (out.size() >= limit) {
                break;
            }
            if (counts.getOrDefault(r, 0) > 0) {
                out.add("only on source: " + r);
                counts.merge(r, -1, Integer::sum);
            }
        }
        for (String r : target.rows) {
            if (out.size() >= limit) {
                break;
            }
            if (counts.getOrDefault(r, 0) < 0) {
                out.add("only on target: " + r);
                counts.merge(r, 1, Integer::sum);
            }
        }
        return out;
    }
}
