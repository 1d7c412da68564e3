package io.livemigrate.ops;

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
 */
final class QuartzSchema {

    private QuartzSchema() {
    }

    static void ensure(DataSource dataSource) throws SQLException {
        String product;
        try (Connection c = dataSource.getConnection()) {
            if (exists(c)) {
                return;
            }
            product = c.getMetaData().getDatabaseProductName().toLowerCase();
        }
        try {
            new ResourceDatabasePopulator(new ClassPathResource("org/quartz/impl/jdbcjobstore/tables_"
                    + script(product) + ".sql")).execute(dataSource);
        }
        catch (RuntimeException e) {
            // A second server starting at the same moment may have created them first.
            try (Connection c = dataSource.getConnection()) {
                if (!exists(c)) {
                    throw e;
                }
            }
        }
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
