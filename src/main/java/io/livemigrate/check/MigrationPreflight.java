package io.livemigrate.check;

import io.livemigrate.engine.CascadingForeignKey;
import io.livemigrate.engine.Engine;
import io.livemigrate.engine.Finding;
import io.livemigrate.engine.KeyOrdering;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;
import io.livemigrate.plan.MigrationPlan;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The checks that run before anything is written: both servers, then every table the plan selects. Used by
 * {@code check} on its own and by {@code copy} before it starts its job.
 */
public final class MigrationPreflight {

    private final MigrationPlan plan;
    private final Engine engine;

    public MigrationPreflight(MigrationPlan plan, Engine engine) {
        this.plan = plan;
        this.engine = engine;
    }

    /**
     * @param resuming this plan already has a copy in the job repository, so target rows are its own work
     */
    public PreflightReport run(Connection source, Connection target, boolean resuming) throws SQLException {
        List<Finding> server = new ArrayList<>();
        server.addAll(engine.checkServer(source, plan.source(), true));
        server.addAll(engine.checkServer(target, plan.target(), false));
        List<TableId> ids = engine.listTables(source, plan.tables());
        if (ids.isEmpty()) {
            server.add(Finding.error("plan", "tables.include " + plan.tables().include() + " matches no table on the source",
                    "check the patterns (schema.table for PostgreSQL, database.table for MySQL) and tables.exclude"));
        }
        List<CascadingForeignKey> cascades = engine.unloggedCascades(source, ids);
        List<TableReport> tables = new ArrayList<>();
        for (TableId id : ids) {
            TableInfo info = engine.describe(source, id).orElseThrow();
            TableReport report = checkTable(source, target, info, resuming);
            List<Finding> findings = new ArrayList<>(report.findings());
            findings.addAll(cascadesFromOutside(id, ids, cascades));
            tables.add(new TableReport(report.source(), report.targetState(), findings));
        }
        return new PreflightReport(server, tables);
    }

    private TableReport checkTable(Connection source, Connection target, TableInfo table, boolean resuming)
            throws SQLException {
        String subject = table.id().qualified();
        List<Finding> findings = new ArrayList<>();
        if (!table.hasKey()) {
            findings.add(Finding.error(subject, "has no primary key and no unique key on NOT NULL columns, so it cannot be "
                            + "copied in restartable key ranges or replicated row by row",
                    "add a primary key (ALTER TABLE " + subject + " ADD PRIMARY KEY (...)) or a unique index on NOT NULL "
                            + "columns, or add the table to tables.exclude"));
        }
        findings.addAll(engine.checkTable(source, table));
        findings.addAll(engine.checkTableOnTarget(source, target, table));
        TableId targetId = plan.targetTable(table.id());
        Optional<TableInfo> existing = engine.describe(target, targetId);
        findings.addAll(keyOrderDifferences(source, target, table, targetId, existing.isPresent()));
        String state;
        if (existing.isEmpty()) {
            state = "missing: will be created";
            if (!plan.copy().createSchema()) {
                findings.add(Finding.error(subject, "does not exist on the target and copy.create-schema is false",
                        "create it on the target, or set copy.create-schema: true"));
            }
        }
        else {
            for (String diff : SchemaComparison.differences(table, existing.get(), resuming)) {
                findings.add(Finding.error(subject, "target table differs: " + diff,
                        "make the target definition match the source, or drop the target table and let copy create it"));
            }
            boolean hasRows = hasRows(target, targetId);
            state = !hasRows ? "exists, empty" : resuming ? "has rows: resuming this migration" : "has rows";
            if (hasRows && !resuming) {
                findings.add(Finding.error(subject, "the target table already holds rows and no copy of plan '" + plan.name()
                                + "' is recorded in the job repository",
                        "empty it (TRUNCATE) or drop it if they are stale, or point --repository at the repository "
                                + "of the migration that wrote them"));
            }
        }
        return new TableReport(table, state, findings);
    }

    /**
     * A text key the two sides order differently makes one key range hold different rows on each: a restarted,
     * retried or repaired range's delete on the target would remove rows of its neighbours (docs/design.md).
     */
    private List<Finding> keyOrderDifferences(Connection source, Connection target, TableInfo table, TableId targetId,
                                              boolean targetExists) throws SQLException {
        if (!table.hasKey()) {
            return List.of();
        }
        KeyOrdering ordering = engine.keyOrdering();
        Map<String, String> onSource = ordering.of(source, table.id(), table.keyColumns());
        Map<String, String> onTarget = targetExists ? ordering.of(target, targetId, table.keyColumns())
                : ordering.asCreated(source, target, table.id(), table.keyColumns());
        List<Finding> findings = new ArrayList<>();
        onSource.forEach((column, sourceOrder) -> {
            String targetOrder = onTarget.getOrDefault(column, "no collation (not a text type)");
            if (!sourceOrder.equals(targetOrder)) {
                findings.add(Finding.error(table.id().qualified(), "key column " + column + " sorts by " + sourceOrder
                                + " on the source but by " + targetOrder + " on the target, so a key range would hold "
                                + "different rows on the two sides and a restarted or repaired range could delete "
                                + "rows of its neighbours",
                        "give the target column the source's collation (" + (targetExists ? "alter or recreate the "
                                + "target table" : "create the collation on the target, or the target database with "
                                + "the source's locale") + "), on a server with the same collation library version; "
                                + "or exclude the table (tables.exclude)"));
            }
        });
        return findings;
    }

    /**
     * A foreign-key action from a table outside the plan changes {@code id}'s rows without a trace in the source's
     * log (see {@link Engine#unloggedCascades}), and catch-up does not read the parent's changes: refused.
     */
    private static List<Finding> cascadesFromOutside(TableId id, List<TableId> ids, List<CascadingForeignKey> keys) {
        List<Finding> findings = new ArrayList<>();
        for (CascadingForeignKey k : keys) {
            if (k.child().equals(id) && !ids.contains(k.parent())) {
                findings.add(Finding.error(id.qualified(), "foreign key " + k.name() + " cascades (ON DELETE "
                                + k.onDelete() + ", ON UPDATE " + k.onUpdate() + ") from " + k.parent().qualified()
                                + ", which is not in the plan; the source does not log the rows a cascade changes, so "
                                + "catch-up would miss them",
                        "add " + k.parent().qualified() + " to the plan (tables.include), or leave "
                                + id.qualified() + " out of it (tables.exclude)"));
            }
        }
        return findings;
    }

    private boolean hasRows(Connection c, TableId id) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT 1 FROM " + engine.dialect().table(id) + " LIMIT 1")) {
            return rs.next();
        }
    }
}
