package io.livemigrate.core;

import io.livemigrate.engine.TableId;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** The tables the plan selects on the source, listed once when a job's context starts. */
public record MigrationTables(List<TableId> ids) {

    public MigrationTables {
        ids = List.copyOf(ids);
    }

    public static MigrationTables list(MigrationResources resources) {
        try (Connection c = resources.source().getConnection()) {
            return new MigrationTables(resources.engine().listTables(c, resources.plan().tables()));
        }
        catch (SQLException e) {
            throw new IllegalStateException("cannot list the source tables: " + e.getMessage(), e);
        }
    }
}
