package io.livemigrate.verify;

import io.livemigrate.core.MigrationResources;
import io.livemigrate.engine.Column;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The baseline for the verify benchmark ({@code verify --naive}): streams every row of both sides into the JVM in
 * key order and compares them value by value, as a hand-written comparison would. Not a job, nothing recorded.
 */
public final class NaiveComparison {

    private NaiveComparison() {
    }

    /** @return rows that differ (a row whose key or any value differs, counted once per position) */
    public static long run(MigrationResources resources, List<TableId> tables, PrintStream out) throws SQLException {
        long rows = 0;
        long differing = 0;
        long start = System.nanoTime();
        for (TableId id : tables) {
            TableInfo table = resources.sourceTable(id);
            try (Connection s = resources.source().getConnection(); Connection t = resources.target().getConnection();
                 ResultSet a = stream(resources, s, table, id); ResultSet b = stream(resources, t, table,
                    resources.plan().targetTable(id))) {
                int n = table.columns().size();
                boolean moreA = a.next();
                boolean moreB = b.next();
                while (moreA || moreB) {
                    boolean same = moreA && moreB;
                    for (int i = 1; same && i <= n; i++) {
                        same = Objects.equals(a.getString(i), b.getString(i));
                    }
                    differing += same ? 0 : 1;
                    rows++;
                    moreA = moreA && a.next();
                    moreB = moreB && b.next();
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf("verify --naive: %,d rows per side streamed and compared in %.1f s (%,.0f rows/s), %,d differing%n",
                rows, seconds, rows / seconds, differing);
        return differing;
    }

    private static ResultSet stream(MigrationResources resources, Connection c, TableInfo table, TableId id)
            throws SQLException {
        var dialect = resources.engine().dialect();
        String columns = table.columns().stream().map(Column::name).map(dialect::quote).collect(Collectors.joining(", "));
        String order = table.keyColumns().stream().map(dialect::quote).collect(Collectors.joining(", "));
        return dialect.streamingQuery(c, "SELECT " + columns + " FROM " + dialect.table(id) + " ORDER BY " + order)
                .executeQuery();
    }
}
