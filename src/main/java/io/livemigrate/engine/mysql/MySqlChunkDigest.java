package io.livemigrate.engine.mysql;

import io.livemigrate.engine.ChunkDigester;
import io.livemigrate.engine.Column;
import io.livemigrate.engine.KeyValue;
import io.livemigrate.engine.KeysetSql;
import io.livemigrate.engine.KeysetSql.Binder;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * MySQL/MariaDB chunk digests. The canonical row text is built without escaping any value:
 * {@code CONCAT_WS(0x1f, <null bitmap>, len(s1), s1, n2, ...)}: a bitmap of which nullable columns are NULL (so NULL
 * is not ''), every value that can hold any byte preceded by its byte length (so 'a' is not 'a ' and no separator
 * inside a value can shift the fields), except the last column's: the text ends with it, so nothing can shift past
 * it, and a LENGTH call fewer is cheaper; numbers as the server prints them. FLOAT is widened to double (its own text
 * keeps 6 digits), BIT is read as a number, binary values as their bytes, TIMESTAMP prints as the UTC instant (the
 * session time zone is UTC on both sides), MySQL's JSON type prints normalized and MariaDB's JSON (longtext checked
 * by json_valid) goes through JSON_NORMALIZE, so key order and number spelling do not matter.
 *
 * <p>Neither server has a 64-bit hash function, and two CRCs cost far less than MD5 (docs/benchmarks.md, "Figures
 * behind the code"). So the row hash is {@code CRC32(r) << 32 | CRC32C(r)} (two different polynomials) where both
 * servers have CRC32C (MariaDB 10.8+), else 64 bits of MD5 (MySQL). The chunk hash is the exact DECIMAL sum of the
 * row hashes.
 *
 * <p>Building the row text costs more than both CRCs, and the server has no common-subexpression elimination, so the
 * text is built once into a session variable that the second CRC reads: {@code CRC32(@r := text) << 32 | CRC32C(@r)}.
 * MariaDB evaluates the operands left to right (MySqlChunkDigestTest holds it to the two-evaluation form); were it ever
 * not to, every row would still enter the sum through its CRC32 half, so a difference would still show.
 */
final class MySqlChunkDigest implements ChunkDigester {

    private static final String JSON_CHECKS = "SELECT CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS"
            + " WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?";

    /** The session variable that holds the current row's text between its two CRCs. */
    private static final String ROW_TEXT = "@livemigrate_row";

    private final TableInfo table;
    private final KeysetSql keyset;
    private final List<String> columns;
    private final String rowText;
    private final String rowHash;
    private final String columnDigests;

    private MySqlChunkDigest(TableInfo table, List<String> values, List<String> parts, boolean crc) {
        this.table = table;
        this.keyset = new KeysetSql(MySqlDialect.INSTANCE, table);
        this.columns = table.columns().stream().map(Column::name).toList();
        String row = "CONCAT_WS(0x1f, " + String.join(", ", parts) + ")";
        this.rowText = row;
        this.rowHash = crc ? "(CRC32(" + ROW_TEXT + " := " + row + ") << 32 | CRC32C(" + ROW_TEXT + "))"
                : "CAST(CONV(LEFT(MD5(" + row + "), 16), 16, 10) AS UNSIGNED)";
        this.columnDigests = values.stream().map(v -> "IFNULL(MD5(" + v + "), 'N')").collect(Collectors.joining(", "));
    }

    static MySqlChunkDigest of(Connection source, Connection target, TableInfo table) throws SQLException {
        MySqlDialect d = MySqlDialect.INSTANCE;
        boolean crc = supports(source, "CRC32C('a')") && supports(target, "CRC32C('a')");
        boolean normalize = supports(source, "JSON_NORMALIZE('{}')") && supports(target, "JSON_NORMALIZE('{}')");
        Set<String> mariaJson = normalize ? jsonChecked(source, table.id()) : Set.of();
        List<String> values = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        List<String> nulls = new ArrayList<>();
        List<Column> all = table.columns();
        for (Column c : all) {
            String col = d.quote(c.name());
            MySqlColumnType kind = MySqlColumnType.of(c);
            String value = switch (kind) {
                case FLOAT -> col + "*1e0";
                case BIT -> "(" + col + "+0)";
                default -> mariaJson.contains(c.name().toLowerCase()) ? "JSON_NORMALIZE(" + col + ")" : col;
            };
            values.add(value);
            if (c.nullable()) {
                nulls.add("ISNULL(" + value + ")");
            }
            switch (kind) {
                case INTEGER, DECIMAL, FLOAT, BIT -> parts.add(value);
                default -> {
                    if (c != all.get(all.size() - 1)) {
                        parts.add("LENGTH(" + value + ")");
                    }
                    parts.add(value);
                }
            }
        }
        if (!nulls.isEmpty()) {
            parts.add(0, "CONCAT(" + String.join(", ", nulls) + ")");
        }
        return new MySqlChunkDigest(table, values, parts, crc);
    }

    private static boolean supports(Connection c, String expression) {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT " + expression)) {
            return rs.next();
        }
        catch (SQLException e) {
            return false;
        }
    }

    /** MariaDB's JSON is longtext with a {@code json_valid(`col`)} check; the lower-cased names of those columns. */
    private static Set<String> jsonChecked(Connection c, TableId id) {
        Set<String> json = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(JSON_CHECKS)) {
            ps.setString(1, id.schema());
            ps.setString(2, id.name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String clause = rs.getString(1).trim();
                    if (clause.toLowerCase().startsWith("json_valid(`") && clause.endsWith("`)")) {
                        json.add(clause.substring("json_valid(`".length(), clause.length() - 2).replace("``", "`")
                                .toLowerCase());
                    }
                }
            }
        }
        catch (SQLException e) {
            // MySQL's CHECK_CONSTRAINTS has no TABLE_NAME; its JSON is a type of its own
        }
        return json;
    }

    /** The canonical row text expression (for tests that check the hash against its plain form). */
    String rowText() {
        return rowText;
    }

    @Override
    public ChunkDigest digest(Connection c, TableId id, KeyValue lower, KeyValue upper) throws SQLException {
        return keyset.digest(c, "COUNT(*), CAST(COALESCE(SUM(" + rowHash + "), 0) AS CHAR)",
                MySqlDialect.INSTANCE.table(id), lower, upper);
    }

    @Override
    public void rows(Connection c, TableId id, KeyValue lower, KeyValue upper, RowSink sink) throws SQLException {
        rows(c, id, keyset.rangePredicate(lower, upper), ps -> keyset.bindRange(ps, 1, lower, upper), sink);
    }

    @Override
    public void rows(Connection c, TableId id, List<KeyValue> keys, RowSink sink) throws SQLException {
        rows(c, id, keyset.keyIn(keys.size()), ps -> keyset.bindKeys(ps, 1, keys), sink);
    }

    private void rows(Connection c, TableId id, String where, Binder binder, RowSink sink) throws SQLException {
        String sql = "SELECT " + keyset.keyText() + ", " + columnDigests + " FROM " + MySqlDialect.INSTANCE.table(id)
                + " WHERE " + where;
        try (PreparedStatement ps = c.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
            ps.setFetchSize(Integer.MIN_VALUE);
            binder.bind(ps);
            try (ResultSet rs = ps.executeQuery()) {
                keyset.readDigestRows(rs, columns.size(), sink);
            }
        }
    }

    @Override
    public List<String> columns() {
        return columns;
    }
}
