package io.livemigrate.engine.mysql;

import io.livemigrate.engine.Column;
import io.livemigrate.engine.Finding;
import io.livemigrate.engine.TableInfo;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Table-level preflight. Every column type travels in the server's own text or binary form (spatial values as
 * their internal binary form, which the target accepts as is), so what is left to check is that the copy can read
 * every column, and that no key column is of a kind a key range cannot be built on.
 */
final class MySqlTableCheck {

    /** ER_TABLEACCESS_DENIED_ERROR and ER_COLUMNACCESS_DENIED_ERROR. */
    private static final int TABLE_DENIED = 1142;
    private static final int COLUMN_DENIED = 1143;

    private MySqlTableCheck() {
    }

    static List<Finding> check(Connection source, TableInfo table) throws SQLException {
        List<Finding> findings = new ArrayList<>();
        String subject = table.id().qualified();
        MySqlDialect d = MySqlDialect.INSTANCE;
        String columns = table.columns().stream().map(c -> d.quote(c.name())).collect(Collectors.joining(", "));
        // asking the server is exact where parsing grants is not (roles, column grants, partial revokes)
        try (Statement st = source.createStatement()) {
            st.executeQuery("SELECT " + columns + " FROM " + d.table(table.id()) + " LIMIT 0").close();
        } catch (SQLException e) {
            if (e.getErrorCode() != TABLE_DENIED && e.getErrorCode() != COLUMN_DENIED) {
                throw e;
            }
            findings.add(Finding.error(subject, "the source user cannot read every column: " + e.getMessage(),
                    "GRANT SELECT ON " + d.quote(table.id().schema()) + ".* TO the source user"));
        }
        for (Column key : table.keyColumnDefinitions()) {
            if (MySqlColumnType.of(key) == MySqlColumnType.SPATIAL) {
                findings.add(Finding.error(subject, "key column " + key.name() + " is of type " + key.type()
                        + ", which has no order to split ranges by", "exclude the table"));
            }
        }
        return findings;
    }
}
