package io.livemigrate.plan;

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

    /** The name of the change-capture objects (slot, publication, state schema) livemigrate creates for this plan. */
    public String captureName() {
        return "livemigrate_" + name.toLowerCase().replaceAll("[^a-z0-9_]", "_");
    }
}
