package io.livemigrate.ops;

import io.livemigrate.repository.RepositorySchema;
import io.livemigrate.repository.SchemaCreationLock;
import org.springframework.batch.infrastructure.support.DatabaseType;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

import javax.sql.DataSource;
import java.sql.SQLException;

/**
 * Creates Quartz's QRTZ_* tables in the job repository database the first time a server uses it (Quartz's own
 * scripts), and leaves existing ones alone: Boot's "always" initializer would drop them under a running cluster.
 * Servers run this after {@link RepositorySchema#ensure(DataSource)}.
 */
final class QuartzSchema {

    private QuartzSchema() {
    }

    /**
     * Holds the {@link SchemaCreationLock} while it checks and creates: servers of a cluster start together, and
     * Quartz's scripts begin by dropping the tables, so an unguarded second server failed ("relation
     * qrtz_fired_triggers already exists") or dropped what the first had just created.
     */
    static void ensure(DataSource dataSource) throws SQLException {
        ResourceDatabasePopulator script = new ResourceDatabasePopulator(new ClassPathResource(
                "org/quartz/impl/jdbcjobstore/tables_" + script(RepositorySchema.databaseType(dataSource)) + ".sql"));
        // The MySQL script comments with '#', which the populator would send to the server as SQL.
        script.setCommentPrefixes("--", "#");
        RepositorySchema.ensure(dataSource, "QRTZ_LOCKS", script);
    }

    /** Quartz's delegate for the database: PostgreSQL stores job data as bytea, the others as blobs. */
    static String delegate(String jdbcUrl) {
        return jdbcUrl.startsWith("jdbc:postgresql:") ? "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate"
                : "org.quartz.impl.jdbcjobstore.StdJDBCDelegate";
    }

    private static String script(DatabaseType type) {
        return switch (type) {
            case POSTGRES -> "postgres";
            case H2 -> "h2";
            default -> "mysql_innodb";
        };
    }
}
