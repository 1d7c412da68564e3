package io.livemigrate.engine;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Runs an engine's catalog query of (schema, table) rows and keeps the tables the plan's filter selects, sorted. */
public final class TableListing {

    private TableListing() {
    }

    public static List<TableId> select(Connection c, String catalogQuery, Predicate<TableId> selected) throws SQLException {
        List<TableId> tables = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(catalogQuery)) {
            while (rs.next()) {
                TableId id = new TableId(rs.getString(1), rs.getString(2));
                if (selected.test(id)) {
                    tables.add(id);
                }
            }
        }
        tables.sort(null);
        return tables;
    }
}
