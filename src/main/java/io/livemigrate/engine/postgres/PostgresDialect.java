package io.livemigrate.engine.postgres;

import io.livemigrate.engine.Column;
import io.livemigrate.engine.Dialect;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * PostgreSQL spelling. Key values travel as the server's own text output cast back through the column's
 * {@code format_type} name, so every type with a text form (enums, domains, uuid, timestamps) round-trips exactly
 * given the session settings {@link PostgresPoolFactory} fixes.
 */
final class PostgresDialect implements Dialect {

    static final PostgresDialect INSTANCE = new PostgresDialect();

    @Override
    public String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /**
     * {@code ("k"::text || '')}, not plain {@code "k"::text}: PostgreSQL names a cast's output column after the column
     * cast, and an {@code ORDER BY "k"} in the same SELECT then sorts by that text output column instead of the
     * key ({@code SELECT "id"::text FROM t ORDER BY "id"} puts 10 before 9). The concatenation leaves the value as it
     * is but gives the output column no name to collide with.
     */
    @Override
    public String keyAsText(Column column) {
        return "(" + quote(column.name()) + "::text || '')";
    }

    @Override
    public String keyParameter(Column column) {
        return "CAST(? AS " + column.type() + ")";
    }

    /**
     * The table as a FROM item that reads its own rows: ONLY, so a legacy-inheritance parent leaves out its children's
     * rows (they are copied as tables of their own), but not for a partitioned table, whose rows are all in its
     * partitions.
     */
    String rowsOf(TableInfo table, TableId id) {
        return (table.partitioned() ? "" : "ONLY ") + table(id);
    }

    /** The same cast as {@link #keyParameter} with the value inlined, for statements that take no parameters (COPY). */
    String keyLiteral(Column column, String text) {
        return "CAST(" + literal(text) + " AS " + column.type() + ")";
    }

    /**
     * A string literal that reads the same whatever standard_conforming_strings says: the E'' form fixes how
     * backslashes are read, so doubling quotes and backslashes is the complete escape.
     */
    static String literal(String text) {
        return "E'" + text.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    @Override
    public PreparedStatement streamingQuery(Connection connection, String select) throws SQLException {
        connection.setAutoCommit(false);
        PreparedStatement ps = connection.prepareStatement(select, ResultSet.TYPE_FORWARD_ONLY,
                ResultSet.CONCUR_READ_ONLY);
        ps.setFetchSize(10_000);
        ps.closeOnCompletion();
        return ps;
    }
}
