package io.livemigrate.ops;

import io.livemigrate.repository.SchemaCreationLock;
import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Creates Quartz's QRTZ_* tables in the job repository database the first time a server uses it (Quartz's own
 * scripts), and leaves existing ones alone: Boot's "always" initializer would drop them under a running cluster.
 * Servers run this after {@link io.livemigrate.repository.RepositorySchema#ensure}.
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
        SchemaCreationLock.holding(dataSource, c -> {
            if (!exists(c)) {
                ResourceDatabasePopulator script = new ResourceDatabasePopulator(new ClassPathResource(
                        "org/quartz/impl/jdbcjobstore/tables_" + script(c.getMetaData().getDatabaseProductName()
                                .toLowerCase()) + ".sql"));
                // The MySQL script comments with '#', which the populator would send to the server as SQL.
                script.setCommentPrefixes("--", "#");
                script.execute(dataSource);
            }
        });
    }

    /** Quartz's delegate for the database: PostgreSQL stores job data as bytea, the others as blobs. */
    static String delegate(String jdbcUrl) {
        return jdbcUrl.startsWith("jdbc:postgresql:") ? "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate"
                : "org.quartz.impl.jdbcjobstore.StdJDBCDelegate";
    }

    private static String script(String product) {
        if (product.contains("postgres")) {
            return "postgres";
        }
        return product.contains("h2") ? "h2" : "mysql_innodb";
    }

    private static boolean exists(Connection c) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        for (String name : new String[] {"QRTZ_LOCKS", "qrtz_locks"}) {
            try (ResultSet rs = md.getTables(c.getCatalog(), null, name, new String[] {"TABLE"})) {
                if (rs.next()) {
                    return true;
                }
            }
        }
        return false;
    }
}
