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
                            CopyOptions copy) {

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

    /** The name of the change-capture objects (slot, publication, state schema) livemigrate creates for this plan. */
    public String captureName() {
        return "livemigrate_" + name.toLowerCase().replaceAll("[^a-z0-9_]", "_");
    }
}
