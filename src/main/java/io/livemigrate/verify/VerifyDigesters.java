package io.livemigrate.verify;

import io.livemigrate.core.MigrationResources;
import io.livemigrate.engine.ChunkDigester;
import io.livemigrate.engine.TableId;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** One {@link ChunkDigester} per table for the whole job, built from the source definition on first use. */
public final class VerifyDigesters {

    private final MigrationResources resources;
    private final Map<TableId, ChunkDigester> digesters = new ConcurrentHashMap<>();

    public VerifyDigesters(MigrationResources resources) {
        this.resources = resources;
    }

    ChunkDigester of(TableId table) {
        return digesters.computeIfAbsent(table, this::build);
    }

    private ChunkDigester build(TableId id) {
        try (Connection s = resources.source().getConnection(); Connection t = resources.target().getConnection()) {
            return resources.engine().chunkDigester(s, t, resources.sourceTable(id));
        }
        catch (SQLException e) {
            throw new IllegalStateException("cannot prepare the digests of " + id + ": " + e.getMessage(), e);
        }
    }
}
