package io.livemigrate.plan;

import io.livemigrate.engine.Endpoint;
import io.livemigrate.engine.Engine;
import io.livemigrate.engine.EngineKind;
import io.livemigrate.engine.Engines;
import io.livemigrate.engine.TableId;

import java.nio.file.Path;

/**
 * A migration plan as loaded from {@code jobs/*.yml}: validated, with every {@code ${VAR}} resolved.
 *
 * @param name   identifies this migration's job instances in the job repository
 * @param file   where the plan was read from, for messages
 */
public record MigrationPlan(String name, Path file, Endpoint source, Endpoint target, TableFilter tables,
                            CopyOptions copy, CatchupOptions catchup, CutoverOptions cutover,
                            java.util.List<Schedule> schedules) {

    public MigrationPlan {
        schedules = java.util.List.copyOf(schedules);
    }

    /** Plans of the reverse direction (revert) are named after the forward plan with this suffix. */
    public static final String REVERSE_SUFFIX = "-reverse";

    public EngineKind engineKind() {
        return source.engineKind();
    }

    /** Where a source table lands on the target: in the schema {@link Engine#targetSchema} maps its schema to. */
    public TableId targetTable(TableId sourceTable) {
        String schema = targetSchema(sourceTable.schema());
        return schema.equals(sourceTable.schema()) ? sourceTable : new TableId(schema, sourceTable.name());
    }

    private String targetSchema(String sourceSchema) {
        EngineKind kind = engineKind();
        return kind == null ? sourceSchema : Engines.of(kind).targetSchema(source, target, sourceSchema);
    }

    /**
     * The same migration in the other direction, for the reverse stream and {@code revert}: source and target trade
     * places (table patterns move to the schema {@link #targetTable} maps theirs to), and the name gains (or loses)
     * {@link #REVERSE_SUFFIX}.
     */
    public MigrationPlan reversed() {
        String reversedName = isReverse() ? name.substring(0, name.length() - REVERSE_SUFFIX.length())
                : name + REVERSE_SUFFIX;
        // Roles stay as the plan file names them, so a message about the reverse stream's source says which key
        // to fix ("check target.url") and the servers' session lists show which side each connection is for.
        Endpoint newSource = new Endpoint(target.role(), target.url(), target.user(), target.password());
        Endpoint newTarget = new Endpoint(source.role(), source.url(), source.user(), source.password());
        TableFilter filter = new TableFilter(inTargetSchemas(tables.include()), inTargetSchemas(tables.exclude()));
        // Schedules belong to the plan an operator runs the server with, not to its reverse.
        return new MigrationPlan(reversedName, file, newSource, newTarget, filter, copy, catchup, cutover.reversed(),
                java.util.List.of());
    }

    public boolean isReverse() {
        return name.endsWith(REVERSE_SUFFIX);
    }

    /** {@code schema.table} patterns with the schema part as it is on the target. */
    private java.util.List<String> inTargetSchemas(java.util.List<String> patterns) {
        return patterns.stream().map(p -> {
            int dot = p.indexOf('.');
            return dot < 0 ? p : targetSchema(p.substring(0, dot)) + p.substring(dot);
        }).toList();
    }

    /** The name of the change-capture objects (slot, publication, state schema) livemigrate creates for this plan. */
    public String captureName() {
        return "livemigrate_" + name.toLowerCase().replaceAll("[^a-z0-9_]", "_");
    }
}
