package io.livemigrate.plan;

import io.livemigrate.engine.TableId;

import java.nio.file.Path;

/**
 * A migration plan as loaded from {@code jobs/*.yml}: validated, with every {@code ${VAR}} resolved.
 *
 * @param name   identifies this migration's job instances in the job repository
 * @param file   where the plan was read from, for messages
 */
public record MigrationPlan(String name, Path file, Endpoint source, Endpoint target, TableFilter tables,
                            CopyOptions copy, CutoverOptions cutover, java.util.List<Schedule> schedules) {

    public MigrationPlan {
        schedules = java.util.List.copyOf(schedules);
    }

    /** Plans of the reverse direction (revert) are named after the forward plan with this suffix. */
    public static final String REVERSE_SUFFIX = "-reverse";

    public EngineKind engineKind() {
        return source.engineKind();
    }

    /**
     * Where a source table lands on the target. MySQL names tables by database, so the database in the source URL
     * maps to the database in the target URL (moving {@code shop} into {@code shop_v2} on the same or another
     * server); other databases keep their names. PostgreSQL tables keep their schema-qualified names.
     */
    public TableId targetTable(TableId sourceTable) {
        if (engineKind() == EngineKind.MYSQL) {
            String sourceDb = source.database();
            String targetDb = target.database();
            if (sourceDb != null && targetDb != null && sourceDb.equals(sourceTable.schema())) {
                return new TableId(targetDb, sourceTable.name());
            }
        }
        return sourceTable;
    }

    /**
     * The same migration in the other direction, for the reverse stream and {@code revert}: source and target trade
     * places (MySQL table patterns move to the other database), and the name gains (or loses) {@link #REVERSE_SUFFIX}.
     */
    public MigrationPlan reversed() {
        String reversedName = isReverse() ? name.substring(0, name.length() - REVERSE_SUFFIX.length())
                : name + REVERSE_SUFFIX;
        // Roles stay as the plan file names them, so a message about the reverse stream's source says which key
        // to fix ("check target.url") and the servers' session lists show which side each connection is for.
        Endpoint newSource = new Endpoint(target.role(), target.url(), target.user(), target.password());
        Endpoint newTarget = new Endpoint(source.role(), source.url(), source.user(), source.password());
        TableFilter filter = tables;
        if (engineKind() == EngineKind.MYSQL && source.database() != null && target.database() != null) {
            filter = new TableFilter(renameSchema(tables.include()), renameSchema(tables.exclude()));
        }
        // Schedules belong to the plan an operator runs the server with, not to its reverse.
        return new MigrationPlan(reversedName, file, newSource, newTarget, filter, copy, cutover.reversed(),
                java.util.List.of());
    }

    public boolean isReverse() {
        return name.endsWith(REVERSE_SUFFIX);
    }

    private java.util.List<String> renameSchema(java.util.List<String> patterns) {
        String prefix = source.database() + ".";
        return patterns.stream().map(p -> p.startsWith(prefix) ? target.database() + "." + p.substring(prefix.length())
                : p).toList();
    }

    /** The name of the change-capture objects (slot, publication, state schema) livemigrate creates for this plan. */
    public String captureName() {
        return "livemigrate_" + name.toLowerCase().replaceAll("[^a-z0-9_]", "_");
    }
}
