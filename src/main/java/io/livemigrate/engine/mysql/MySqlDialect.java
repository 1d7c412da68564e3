package io.livemigrate.engine.mysql;

import io.livemigrate.engine.Column;
import io.livemigrate.engine.Dialect;
import io.livemigrate.engine.TableId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * MySQL/MariaDB spelling of identifiers and key values.
 *
 * <p>Key text must read back to exactly the stored value and compare in the same order as {@code ORDER BY column}.
 * A bare string parameter is not enough for numbers: MySQL compares a string with a DECIMAL (and in some cases an
 * integer) as doubles, which merges neighbouring keys beyond 2^53 or 15 digits. So numeric keys get an explicit
 * CAST to the column's own kind. Enum and set columns sort by member number, so their keys travel as that number.
 */
final class MySqlDialect implements Dialect {

    static final MySqlDialect INSTANCE = new MySqlDialect();

    private MySqlDialect() {
    }

    @Override
    public String quote(String identifier) {
        return "`" + identifier.replace("`", "``") + "`";
    }

    @Override
    public String keyAsText(Column column) {
        String col = quote(column.name());
        return switch (MySqlColumnType.of(column)) {
            case BINARY, SPATIAL -> "HEX(" + col + ")";
            // bit values compare as unsigned integers; decimal text is exact up to bit(64)
            case BIT -> "CAST(" + col + " AS UNSIGNED)";
            case ENUM_SET -> "CAST(" + col + "+0 AS CHAR)";
            // widened to double so the text is exact (the float text form keeps 6 digits only)
            case FLOAT -> "CAST(" + col + "*1e0 AS CHAR)";
            default -> "CAST(" + col + " AS CHAR)";
        };
    }

    @Override
    public String keyParameter(Column column) {
        return switch (MySqlColumnType.of(column)) {
            case BINARY, SPATIAL -> "UNHEX(?)";
            case BIT, ENUM_SET -> "CAST(? AS UNSIGNED)";
            case INTEGER -> MySqlColumnType.isUnsigned(column) ? "CAST(? AS UNSIGNED)" : "CAST(? AS SIGNED)";
            case DECIMAL -> "CAST(? AS " + MySqlColumnType.decimalCastTarget(column) + ")";
            case FLOAT -> "(?*1e0)";
            default -> "?";
        };
    }

    @Override
    public String analyze(TableId table) {
        return "ANALYZE TABLE " + table(table);
    }

    @Override
    public PreparedStatement streamingQuery(Connection connection, String select) throws SQLException {
        connection.setAutoCommit(true);
        PreparedStatement ps = connection.prepareStatement(select, ResultSet.TYPE_FORWARD_ONLY,
                ResultSet.CONCUR_READ_ONLY);
        ps.setFetchSize(Integer.MIN_VALUE);
        ps.closeOnCompletion();
        return ps;
    }
}
