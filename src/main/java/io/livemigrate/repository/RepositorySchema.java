package io.livemigrate.repository;

import org.springframework.core.io.ClassPathResource;
import org.springframework.jdbc.datasource.init.ResourceDatabasePopulator;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Creates the BATCH_* tables (Spring Batch's own scripts) and livemigrate's tables the first time a repository is
 * used, and leaves an existing repository alone.
 */
public final class RepositorySchema {

    private RepositorySchema() {
    }

    public static void ensure(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            if (!tableExists(c, "BATCH_JOB_INSTANCE")) {
                populate(dataSource, new ClassPathResource("org/springframework/batch/core/schema-"
                        + platform(c.getMetaData().getDatabaseProductName()) + ".sql"));
            }
        }
    }

    /** Spring Batch picks its id incrementers from the product name, so the script must match it (MariaDB uses sequences). */
    static String platform(String productName) {
        String p = productName.toLowerCase();
        if (p.contains("postgres")) {
            return "postgresql";
        }
        if (p.contains("mariadb")) {
            return "mariadb";
        }
        return p.contains("h2") ? "h2" : "mysql";
    }

    private static void populate(DataSource dataSource, ClassPathResource script) {
        ResourceDatabasePopulator populator = new ResourceDatabasePopulator(script);
        populator.execute(dataSource);
    }

    static boolean tableExists(Connection c, String name) throws SQLException {
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
