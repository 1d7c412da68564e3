package io.livemigrate.cutover;

import io.livemigrate.core.MigrationResources;
import io.livemigrate.engine.CutoverDialect;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;

/** What {@code complete} removes: each direction's capture objects on its source, the state tables on both. */
public final class CutoverCleanup {

    private CutoverCleanup() {
    }

    public static List<String> dropAll(MigrationResources resources) throws Exception {
        CutoverDialect dialect = resources.engine().cutover();
        List<String> dropped = new ArrayList<>();
        try (Connection source = resources.source().getConnection()) {
            source.setAutoCommit(true);
            dialect.dropCaptureObjects(source, resources.plan().captureName()).forEach(d -> dropped.add("source: " + d));
        }
        try (Connection target = resources.target().getConnection()) {
            target.setAutoCommit(true);
            dialect.dropCaptureObjects(target, resources.plan().reversed().captureName())
                    .forEach(d -> dropped.add("target: " + d));
        }
        return dropped;
    }
}
