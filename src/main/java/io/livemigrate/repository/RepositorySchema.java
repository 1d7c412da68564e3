package io.livemigrate.repository;

import org.springframework.batch.infrastructure.support.DatabaseType;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.init.DatabasePopulatorUtils;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;
import org.springframework.jdbc.support.MetaDataAccessException;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Creates the job repository's tables the first time a repository is used, and leaves an existing repository alone:
 * Spring Batch's BATCH_* tables from Spring Batch's script for the database, and livemigrate's own tables from
 * {@code io/livemigrate/schema.sql}. Every process that uses a repository calls {@link #ensure(DataSource)} first;
 * a server also creates Quartz's tables through {@link #ensure(DataSource, String, ResourceDatabasePopulator)}.
 */
public final class RepositorySchema {

    private static final String LIVEMIGRATE_SCRIPT = "io/livemigrate/schema.sql";

    private RepositorySchema() {
    }

    /**
     * Creates what is missing, holding the {@link SchemaCreationLock}: processes that start together on a new
     * repository (servers, workers, commands) each find it either empty or complete, never half-created.
     */
    public static void ensure(DataSource dataSource) throws SQLException {
        ResourceDatabasePopulator batch = new ResourceDatabasePopulator(new ClassPathResource(
                "org/springframework/batch/core/schema-" + batchScript(databaseType(dataSource)) + ".sql"));
        SchemaCreationLock.holding(dataSource, c -> {
            createIfMissing(c, dataSource, "BATCH_JOB_INSTANCE", batch);
            // Idempotent (CREATE TABLE IF NOT EXISTS), so run every time: an older repository gains newer tables.
            DatabasePopulatorUtils.execute(new ResourceDatabasePopulator(new ClassPathResource(LIVEMIGRATE_SCRIPT)),
                    dataSource);
        });
    }

    /** Runs {@code script} unless {@code table} exists, holding the {@link SchemaCreationLock}. */
    public static void ensure(DataSource dataSource, String table, ResourceDatabasePopulator script)
            throws SQLException {
        SchemaCreationLock.holding(dataSource, c -> createIfMissing(c, dataSource, table, script));
    }

    private static void createIfMissing(Connection c, DataSource dataSource, String table,
                                        ResourceDatabasePopulator script) throws SQLException {
        if (!tableExists(c, table)) {
            try {
                DatabasePopulatorUtils.execute(script, dataSource);
            }
            catch (RuntimeException e) {
                // H2 takes no lock (see SchemaCreationLock): a process racing for the same file may win.
                if (!tableExists(c, table)) {
                    throw e;
                }
            }
        }
    }

    /** Spring Batch's reading of the database, the one its id incrementers follow (MariaDB uses sequences). */
    public static DatabaseType databaseType(DataSource dataSource) throws SQLException {
        try {
            return DatabaseType.fromMetaData(dataSource);
        }
        catch (MetaDataAccessException e) {
            throw new SQLException("reading the job repository's database type: " + e.getMessage(), e);
        }
    }

    /** Spring Batch's script for the database; its name must match the incrementers Spring Batch picks. */
    private static String batchScript(DatabaseType type) {
        return type == DatabaseType.POSTGRES ? "postgresql" : type.name().toLowerCase();
    }

    public static boolean tableExists(Connection c, String name) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        for (String candidate : new String[] {name, name.toLowerCase()}) {
            try (ResultSet rs = md.getTables(c.getCatalog(), null, candidate, new String[] {"TABLE"})) {
                if (rs.next()) {
                    return true;
                }
            }
        }
        return false;
    }
}
