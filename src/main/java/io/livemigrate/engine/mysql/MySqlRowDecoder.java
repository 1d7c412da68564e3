package io.livemigrate.engine.mysql;

import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.AbstractRowsEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.json.JsonBinary;
import com.github.shyiko.mysql.binlog.io.ByteArrayInputStream;
import io.livemigrate.engine.Column;
import io.livemigrate.engine.TableInfo;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns one binlog row image into exact text, straight from the row's bytes (the connector's own value objects
 * lose zero dates, YEAR 0, negative TIME fractions and trailing BINARY zeros, so it is not used for values).
 *
 * <p>The text delivered per column is exactly what {@link MySqlDialect#keyAsText} renders for the same stored value
 * on a {@code time_zone='+00:00'} session, so {@link MySqlDialect#keyParameter} reads it back to the identical value.
 * The encoding per type: docs/design.md, "MySQL/MariaDB row-event encoding".
 */
final class MySqlRowDecoder {

    /** How one column's bytes become text; null charset means the bytes travel as hex. */
    record ColumnSpec(String name, boolean unsigned, Charset charset, boolean latin1, int binaryLength,
                      boolean generated) {
    }

    private static final Pattern BINARY_N = Pattern.compile("binary\\((\\d+)\\)");
    private static final int[] DIG_TO_BYTES = {0, 1, 1, 2, 2, 3, 3, 4, 4, 4};
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    /**
     * What {@link #decodeRow} puts for a column the row image does not include (binlog_row_image MINIMAL or NOBLOB):
     * compared by identity, never a value.
     */
    static final String MISSING = new String("(not in the row image)");

    private final TableInfo table;
    private final ColumnSpec[] columns;

    /**
     * @param table         the table as the target has it (what the applier can apply), named as the source table
     * @param sourceColumns the source table's columns in its order, which is the binlog's: values are positional, so
     *                      they are named by this list, never by the target's order
     * @param charsets      each source column's character set, same order
     */
    MySqlRowDecoder(TableInfo table, List<Column> sourceColumns, List<String> charsets) {
        this.table = table;
        this.columns = new ColumnSpec[sourceColumns.size()];
        for (int i = 0; i < columns.length; i++) {
            Column c = sourceColumns.get(i);
            String type = c.type().toLowerCase(Locale.ROOT);
            String cs = charsets.get(i);
            Matcher m = BINARY_N.matcher(type);
            int binaryLength = type.startsWith("binary") && m.find() ? Integer.parseInt(m.group(1)) : 0;
            boolean binary = cs == null || cs.equalsIgnoreCase("binary");
            columns[i] = new ColumnSpec(c.name(), MySqlColumnType.isUnsigned(c),
                    binary ? null : javaCharset(cs), "latin1".equalsIgnoreCase(cs), binaryLength, c.generated());
        }
    }

    /**
     * Why rows of {@code source}'s columns cannot be applied to {@code target} by name (a column only one side has),
     * or null when they can.
     */
    static String mismatch(TableInfo target, List<Column> source) {
        List<String> sourceNames = source.stream().map(c -> c.name().toLowerCase(Locale.ROOT)).toList();
        List<String> targetNames = target.columns().stream().map(c -> c.name().toLowerCase(Locale.ROOT)).toList();
        List<String> onlySource = sourceNames.stream().filter(n -> !targetNames.contains(n)).toList();
        List<String> onlyTarget = targetNames.stream().filter(n -> !sourceNames.contains(n)).toList();
        if (onlySource.isEmpty() && onlyTarget.isEmpty()) {
            return null;
        }
        return target.id() + " has columns on " + (onlySource.isEmpty() ? "the target only: " + onlyTarget
                : "the source only: " + onlySource + (onlyTarget.isEmpty() ? "" : ", and on the target only: "
                + onlyTarget)) + "; catch-up applies source rows by column name and cannot place them. Make the "
                + "target table's columns match the source's (the DDL run on the source, on the target), then run "
                + "catchup again; or re-run the copy of " + target.id();
    }

    TableInfo table() {
        return table;
    }

    ColumnSpec column(int i) {
        return columns[i];
    }

    int columnCount() {
        return columns.length;
    }

    /** Reads one row image of the columns in {@code included}; null entries are SQL NULL. */
    String[] decodeRow(TableMapEventData map, java.util.BitSet included, ByteArrayInputStream in) throws IOException {
        byte[] types = map.getColumnTypes();
        int[] metadata = map.getColumnMetadata();
        if (types.length != columns.length) {
            throw new IllegalStateException("binlog row of " + table.id() + " has " + types.length
                    + " columns, the table had " + columns.length + " when catch-up started");
        }
        List<String> names = map.getEventMetadata() == null ? null : map.getEventMetadata().getColumnNames();
        if (names != null && names.size() == columns.length) { // logged with binlog_row_metadata=FULL
            for (int i = 0; i < columns.length; i++) {
                if (!names.get(i).equalsIgnoreCase(columns[i].name())) {
                    throw new IllegalStateException("binlog row of " + table.id() + " has column " + names.get(i)
                            + " at position " + (i + 1) + ", where the table had " + columns[i].name()
                            + " when catch-up started");
                }
            }
        }
        String[] row = new String[columns.length];
        java.util.BitSet nulls = in.readBitSet(included.cardinality(), true);
        for (int i = 0, present = 0; i < types.length; i++) {
            if (!included.get(i)) {
                row[i] = MISSING;
                continue;
            }
            if (!nulls.get(present++)) {
                row[i] = decodeValue(types[i] & 0xFF, metadata[i], columns[i], in);
            }
        }
        return row;
    }

    static String decodeValue(int type, int meta, ColumnSpec spec, ByteArrayInputStream in) throws IOException {
        int length = 0;
        if (type == 254 && meta >= 256) { // STRING: the real type and length hide in the metadata
            int meta0 = meta >> 8;
            int meta1 = meta & 0xFF;
            if ((meta0 & 0x30) != 0x30) {
                type = meta0 | 0x30;
                length = meta1 | (((meta0 & 0x30) ^ 0x30) << 4);
            } else {
                if (meta0 == 247 || meta0 == 248) {
                    type = meta0;
                }
                length = meta1;
            }
        } else if (type == 254) {
            length = meta;
        }
        return switch (type) {
            case 1 -> integer(in.readInteger(1), 8, spec.unsigned());
            case 2 -> integer(in.readInteger(2), 16, spec.unsigned());
            case 9 -> integer(in.readInteger(3), 24, spec.unsigned());
            case 3 -> integer(in.readInteger(4) & 0xFFFFFFFFL, 32, spec.unsigned());
            case 8 -> {
                long v = in.readLong(8);
                yield spec.unsigned() ? Long.toUnsignedString(v) : Long.toString(v);
            }
            case 4 -> doubleText(Float.intBitsToFloat(in.readInteger(4)));
            case 5 -> doubleText(Double.longBitsToDouble(in.readLong(8)));
            case 246 -> decimal(meta, in);
            case 16 -> {
                int bits = (meta >> 8) * 8 + (meta & 0xFF);
                yield new BigInteger(1, in.read((bits + 7) >> 3)).toString();
            }
            case 13 -> {
                int y = in.readInteger(1);
                yield y == 0 ? "0000" : Integer.toString(1900 + y);
            }
            case 10, 14 -> date(in.readInteger(3));
            case 11 -> oldTime(in.readInteger(3));
            case 19 -> time2(meta, in);
            case 7 -> timestamp(in.readLong(4) & 0xFFFFFFFFL, 0, 0);
            case 17 -> {
                long seconds = bigEndian(in.read(4));
                yield timestamp(seconds, fraction(meta, in), meta);
            }
            case 12 -> oldDatetime(in.readLong(8));
            case 18 -> datetime2(meta, in);
            case 15, 253 -> text(in.read(meta < 256 ? in.readInteger(1) : in.readInteger(2)), spec);
            case 254 -> text(in.read(length < 256 ? in.readInteger(1) : in.readInteger(2)), spec);
            case 247 -> Integer.toString(in.readInteger(length));
            case 248 -> Long.toUnsignedString(in.readLong(length));
            case 249, 250, 251, 252 -> text(in.read(in.readInteger(meta)), spec);
            case 255 -> HEX.formatHex(in.read(in.readInteger(meta)));
            case 245 -> {
                byte[] json = in.read(in.readInteger(meta));
                yield json.length == 0 ? "null" : JsonBinary.parseAsString(json);
            }
            default -> throw new IOException("column " + spec.name() + " has binlog type " + type
                    + ", which livemigrate cannot decode");
        };
    }

    private static String integer(long raw, int bits, boolean unsigned) {
        long mask = (1L << bits) - 1;
        long v = raw & mask;
        if (!unsigned && (v & (1L << (bits - 1))) != 0) {
            v -= 1L << bits;
        }
        return Long.toString(v);
    }

    private static String decimal(int meta, ByteArrayInputStream in) throws IOException {
        int precision = meta & 0xFF;
        int scale = meta >> 8;
        int x = precision - scale;
        int ipd = x / 9;
        int fpd = scale / 9;
        int size = (ipd << 2) + DIG_TO_BYTES[x - ipd * 9] + (fpd << 2) + DIG_TO_BYTES[scale - fpd * 9];
        BigDecimal value = AbstractRowsEventDataDeserializer.asBigDecimal(precision, scale, in.read(size));
        return value.setScale(scale).toPlainString();
    }

    /** Shortest round-trip text of a double, with MySQL's {@code e} exponent spelling. */
    static String doubleText(double d) {
        if (d == 0) {
            return 1 / d < 0 ? "-0" : "0";
        }
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return Double.toString(d);
        }
        BigDecimal bd = new BigDecimal(Double.toString(d)).stripTrailingZeros();
        int exponent = bd.precision() - bd.scale() - 1;
        if (exponent >= -7 && exponent < 15) {
            return bd.toPlainString();
        }
        String digits = bd.unscaledValue().abs().toString();
        String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
        return (bd.signum() < 0 ? "-" : "") + mantissa + "e" + exponent;
    }

    private static String text(byte[] bytes, ColumnSpec spec) {
        if (spec.charset() == null) {
            if (spec.binaryLength() > bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, spec.binaryLength());
            }
            return HEX.formatHex(bytes);
        }
        if (spec.latin1()) {
            return latin1(bytes);
        }
        return new String(bytes, spec.charset());
    }

    /** MySQL's latin1 is cp1252 with the five undefined bytes mapped to the C1 controls of the same number. */
    private static String latin1(byte[] bytes) {
        String s = new String(bytes, CP1252);
        if (s.indexOf('\uFFFD') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < bytes.length; i++) {
            char c = s.charAt(i);
            sb.append(c == '\uFFFD' ? (char) (bytes[i] & 0xFF) : c);
        }
        return sb.toString();
    }

    private static final Charset CP1252 = Charset.forName("windows-1252");

    static Charset javaCharset(String mysqlCharset) {
        String cs = mysqlCharset.toLowerCase(Locale.ROOT);
        return switch (cs) {
            case "utf8mb4", "utf8mb3", "utf8" -> StandardCharsets.UTF_8;
            case "latin1" -> CP1252;
            case "ascii" -> StandardCharsets.US_ASCII;
            case "ucs2", "utf16" -> StandardCharsets.UTF_16BE;
            case "utf16le" -> StandardCharsets.UTF_16LE;
            case "utf32" -> Charset.forName("UTF-32BE");
            case "latin2" -> Charset.forName("ISO-8859-2");
            case "sjis" -> Charset.forName("Shift_JIS");
            case "ujis" -> Charset.forName("EUC-JP");
            case "euckr" -> Charset.forName("EUC-KR");
            case "gb2312" -> Charset.forName("GB2312");
            case "koi8r" -> Charset.forName("KOI8-R");
            case "greek" -> Charset.forName("ISO-8859-7");
            case "hebrew" -> Charset.forName("ISO-8859-8");
            case "latin5" -> Charset.forName("ISO-8859-9");
            case "latin7" -> Charset.forName("ISO-8859-13");
            default -> Charset.forName(cs); // cp1250, cp1251, cp932, gbk, big5, ...: Java knows the name
        };
    }

    private static long bigEndian(byte[] b) {
        long v = 0;
        for (byte x : b) {
            v = (v << 8) | (x & 0xFF);
        }
        return v;
    }

    /** Fractional seconds of the v2 temporal types, as microseconds. */
    private static int fraction(int fsp, ByteArrayInputStream in) throws IOException {
        int bytes = (fsp + 1) / 2;
        if (bytes == 0) {
            return 0;
        }
        int v = (int) bigEndian(in.read(bytes));
        return v * (bytes == 1 ? 10000 : bytes == 2 ? 100 : 1);
    }

    private static String fractionText(int micros, int fsp) {
        if (fsp <= 0) {
            return "";
        }
        return digits(new StringBuilder(7).append('.'), micros, 6).substring(0, fsp + 1);
    }

    // The temporal texts are built without String.format, which parses its format string at every call: catch-up
    // formats every temporal value of every changed row.

    /** Appends {@code v} (not negative) with at least {@code width} digits, as {@code %0<width>d}. */
    private static StringBuilder digits(StringBuilder sb, long v, int width) {
        String text = Long.toString(v);
        for (int i = text.length(); i < width; i++) {
            sb.append('0');
        }
        return sb.append(text);
    }

    /** {@code YYYY-MM-DD}. */
    private static StringBuilder date(StringBuilder sb, long year, long month, long day) {
        digits(sb, year, 4).append('-');
        digits(sb, month, 2).append('-');
        return digits(sb, day, 2);
    }

    /** {@code [-]HH:MM:SS}, hours with two digits or more. */
    private static StringBuilder time(StringBuilder sb, boolean negative, long hours, long minutes, long seconds) {
        if (negative) {
            sb.append('-');
        }
        digits(sb, hours, 2).append(':');
        digits(sb, minutes, 2).append(':');
        return digits(sb, seconds, 2);
    }

    private static String date(int v) {
        return date(new StringBuilder(10), v >> 9, (v >> 5) & 15, v & 31).toString();
    }

    private static String oldTime(int v) {
        int t = (v << 8) >> 8; // signed 24-bit HHMMSS
        boolean negative = t < 0;
        t = Math.abs(t);
        return time(new StringBuilder(10), negative, t / 10000, (t / 100) % 100, t % 100).toString();
    }

    private static String oldDatetime(long v) {
        long d = v / 1000000;
        long t = v % 1000000;
        StringBuilder sb = date(new StringBuilder(19), d / 10000, (d / 100) % 100, d % 100).append(' ');
        return time(sb, false, t / 10000, (t / 100) % 100, t % 100).toString();
    }

    private static String datetime2(int fsp, ByteArrayInputStream in) throws IOException {
        long packed = bigEndian(in.read(5)) - 0x8000000000L;
        int micros = fraction(fsp, in);
        long ymd = packed >> 17;
        long ym = ymd >> 5;
        long hms = packed & 0x1FFFF;
        StringBuilder sb = date(new StringBuilder(26), ym / 13, ym % 13, ymd & 31).append(' ');
        return time(sb, false, hms >> 12, (hms >> 6) & 63, hms & 63).append(fractionText(micros, fsp)).toString();
    }

    private static String timestamp(long seconds, int micros, int fsp) {
        String base = seconds == 0 ? "0000-00-00 00:00:00"
                : LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC).toString().replace('T', ' ');
        if (base.length() == 16) { // LocalDateTime drops ":00" seconds
            base = base + ":00";
        }
        return base + fractionText(micros, fsp);
    }

    /** MySQL's my_time_packed_from_binary, then TIME_from_longlong_time_packed. */
    private static String time2(int fsp, ByteArrayInputStream in) throws IOException {
        long packed;
        switch (fsp) {
            case 1, 2 -> {
                long intPart = bigEndian(in.read(3)) - 0x800000L;
                long frac = in.readInteger(1);
                if (intPart < 0 && frac != 0) {
                    intPart++;
                    frac -= 0x100;
                }
                packed = (intPart << 24) + frac * 10000;
            }
            case 3, 4 -> {
                long intPart = bigEndian(in.read(3)) - 0x800000L;
                long frac = bigEndian(in.read(2));
                if (intPart < 0 && frac != 0) {
                    intPart++;
                    frac -= 0x10000;
                }
                packed = (intPart << 24) + frac * 100;
            }
            case 5, 6 -> packed = bigEndian(in.read(6)) - 0x800000000000L;
            default -> packed = (bigEndian(in.read(3)) - 0x800000L) << 24;
        }
        long abs = Math.abs(packed);
        long hms = abs >> 24;
        int micros = (int) (abs % (1L << 24));
        return time(new StringBuilder(17), packed < 0, (hms >> 12) % (1 << 10), (hms >> 6) % 64, hms % 64)
                .append(fractionText(micros, fsp)).toString();
    }

}
