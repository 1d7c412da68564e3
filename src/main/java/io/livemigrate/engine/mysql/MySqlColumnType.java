package io.livemigrate.engine.mysql;

import io.livemigrate.engine.Column;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a column's declared type (information_schema COLUMN_TYPE, e.g. {@code int(10) unsigned}) means for
 * copying and key handling. Only the distinctions livemigrate acts on are made; everything else is OTHER, which
 * travels as the server's own text or bytes.
 */
enum MySqlColumnType {
    /** tinyint..bigint: compared as integers, never through a double. */
    INTEGER,
    /** decimal/numeric: compared as exact decimals. */
    DECIMAL,
    /** float: the server prints it with 6 digits, so it is read widened to double to stay exact. */
    FLOAT,
    /** bit(n): keys travel as unsigned integers (values travel as their raw bytes). */
    BIT,
    /** binary, varbinary and the blob family: keys travel as hex. */
    BINARY,
    /** enum and set: ORDER BY sorts by the member number, so keys compare by number too. */
    ENUM_SET,
    /** MySQL's native json (MariaDB's json is longtext): refuses strings in the binary character set. */
    JSON,
    /** geometry and its subtypes: carried as the server's internal binary form. */
    SPATIAL,
    OTHER;

    private static final Pattern DECIMAL_TYPE = Pattern.compile("(?:decimal|numeric)\\((\\d+),(\\d+)\\).*");
    private static final Pattern LEADING_WORD = Pattern.compile("^([a-z]+)");

    static MySqlColumnType of(Column column) {
        return of(column.type());
    }

    static MySqlColumnType of(String columnType) {
        String t = columnType.toLowerCase(Locale.ROOT).trim();
        Matcher m = LEADING_WORD.matcher(t);
        String word = m.find() ? m.group(1) : t;
        return switch (word) {
            case "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "bool", "boolean" -> INTEGER;
            case "decimal", "numeric", "dec", "fixed" -> DECIMAL;
            case "float" -> FLOAT;
            case "bit" -> BIT;
            case "binary", "varbinary", "tinyblob", "blob", "mediumblob", "longblob" -> BINARY;
            case "enum", "set" -> ENUM_SET;
            case "json" -> JSON;
            case "geometry", "point", "linestring", "polygon", "multipoint", "multilinestring", "multipolygon",
                 "geometrycollection", "geomcollection" -> SPATIAL;
            default -> OTHER;
        };
    }

    static boolean isUnsigned(Column column) {
        return column.type().toLowerCase(Locale.ROOT).contains("unsigned");
    }

    /** The CAST target that parses a decimal key's text at the column's own precision, so no digit is lost. */
    static String decimalCastTarget(Column column) {
        Matcher m = DECIMAL_TYPE.matcher(column.type().toLowerCase(Locale.ROOT));
        return m.matches() ? "DECIMAL(" + m.group(1) + "," + m.group(2) + ")" : "DECIMAL(65,30)";
    }
}
