package io.livemigrate.engine.mysql;

import io.livemigrate.engine.TableDdl;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recreates a source table from SHOW CREATE TABLE, the server's own rendering of it, so every column attribute,
 * CHECK constraint, table option and partitioning clause is carried without re-deriving it from the catalog.
 *
 * <p>SHOW CREATE TABLE prints one definition per line (newlines inside strings and comments are escaped), so the
 * secondary indexes, unique keys and foreign keys are split off line by line and added later (see {@link TableDdl}). The unique key the copy
 * pages by stays in the CREATE: the copy deletes and reads by ranges of it. AUTO_INCREMENT=N is dropped because the
 * counter is set at cutover from the source's value then.
 */
final class MySqlDdl {

    private static final Pattern INDEX_LINE =
            Pattern.compile("^(?:UNIQUE |FULLTEXT |SPATIAL |VECTOR )?(?:KEY|INDEX) `((?:[^`]|``)*)`.*");
    private static final Pattern FOREIGN_KEY_LINE = Pattern.compile("^CONSTRAINT `(?:[^`]|``)*` FOREIGN KEY .*");
    private static final Pattern AUTO_INCREMENT_OPTION = Pattern.compile(" AUTO_INCREMENT=\\d+");

    private MySqlDdl() {
    }

    static TableDdl of(Connection source, TableInfo table, TableId targetTable) throws SQLException {
        MySqlDialect d = MySqlDialect.INSTANCE;
        String qualified = d.table(table.id());
        String created = d.table(targetTable);
        String createDatabase = createDatabase(source, table.id().schema(), targetTable.schema());
        String shown;
        try (Statement st = source.createStatement();
             ResultSet rs = st.executeQuery("SHOW CREATE TABLE " + qualified)) {
            if (!rs.next()) {
                throw new SQLException("SHOW CREATE TABLE " + qualified + " returned nothing");
            }
            shown = rs.getString(2);
        }
        int open = shown.indexOf("(\n");
        int close = shown.lastIndexOf("\n)");
        if (!shown.startsWith("CREATE TABLE ") || open < 0 || close < open) {
            throw new SQLException("unexpected SHOW CREATE TABLE output for " + qualified);
        }
        String pagingIndex = table.keyName() != null && table.keyName().startsWith("UNIQUE ")
                ? table.keyName().substring("UNIQUE ".length()) : null;
        List<String> kept = new ArrayList<>();
        List<String> indexes = new ArrayList<>();
        List<String> constraints = new ArrayList<>();
        List<String> foreignKeys = new ArrayList<>();
        for (String raw : shown.substring(open + 2, close).split("\n")) {
            String line = raw.strip();
            if (line.endsWith(",")) {
                line = line.substring(0, line.length() - 1);
            }
            Matcher index = INDEX_LINE.matcher(line);
            if (index.matches() && !index.group(1).replace("``", "`").equals(pagingIndex)) {
                (line.startsWith("UNIQUE ") ? constraints : indexes).add("ALTER TABLE " + created + " ADD " + line);
            } else if (FOREIGN_KEY_LINE.matcher(line).matches()) {
                foreignKeys.add("ALTER TABLE " + created + " ADD " + line);
            } else {
                kept.add("  " + line);
            }
        }
        String options = AUTO_INCREMENT_OPTION.matcher(shown.substring(close + 2)).replaceAll("");
        String create = "CREATE TABLE " + created + " (\n" + String.join(",\n", kept) + "\n)" + options;
        return new TableDdl(List.of(createDatabase), create, null, indexes, constraints, foreignKeys);
    }

    /** The database with the source's defaults, so columns declared without a charset get the same one. */
    private static String createDatabase(Connection source, String database, String targetDatabase)
            throws SQLException {
        String sql = "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA"
                + " WHERE SCHEMA_NAME = ?";
        StringBuilder ddl = new StringBuilder("CREATE DATABASE IF NOT EXISTS ")
                .append(MySqlDialect.INSTANCE.quote(targetDatabase));
        try (PreparedStatement ps = source.prepareStatement(sql)) {
            ps.setString(1, database);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    ddl.append(" DEFAULT CHARACTER SET ").append(rs.getString(1))
                            .append(" COLLATE ").append(rs.getString(2));
                }
            }
        }
        return ddl.toString();
    }
}
