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
                try {
                    populate(dataSource, new ClassPathResource("org/springframework/batch/core/schema-"
                            + platform(c.getMetaData().getDatabaseProductName()) + ".sql"));
                }
                catch (RuntimeException e) {
                    // Two processes starting on a new repository (a manager and its workers) race to create it;
                    // the loser finds the tables there and goes on.
                    if (!tableExists(c, "BATCH_JOB_INSTANCE")) {
                        throw e;
                    }
                }
            }
            try (var statement = c.createStatement()) {
                for (String ddl : OPS_TABLES) {
                    statement.execute(ddl);
                }
            }
        }
    }

    /**
     * Operations tables (io.livemigrate.ops), in SQL that H2, PostgreSQL and MySQL/MariaDB all accept. Throttle:
     * one row per change, the latest per plan is in force. Schedule runs: one row per Quartz fire, for ops to audit.
     */
    private static final String[] OPS_TABLES = {"""
            CREATE TABLE IF NOT EXISTS LIVEMIGRATE_THROTTLE (
              PLAN_NAME VARCHAR(200) NOT NULL, CHANGE_NO BIGINT NOT NULL, ROWS_PER_SECOND BIGINT NOT NULL,
              PAUSED SMALLINT NOT NULL, LAG_QUERY VARCHAR(2000), MAX_LAG DOUBLE PRECISION, CHANGED_AT TIMESTAMP NOT NULL,
              CHANGED_BY VARCHAR(200) NOT NULL, CHANGE_TEXT VARCHAR(500) NOT NULL, PRIMARY KEY (PLAN_NAME, CHANGE_NO))""",
            """
            CREATE TABLE IF NOT EXISTS LIVEMIGRATE_SCHEDULE_RUN (
              PLAN_NAME VARCHAR(200) NOT NULL, SCHEDULE_NAME VARCHAR(200) NOT NULL, FIRE_ID VARCHAR(200) NOT NULL,
              SCHEDULED_AT TIMESTAMP NOT NULL, STARTED_AT TIMESTAMP NOT NULL, ENDED_AT TIMESTAMP,
              NODE VARCHAR(200) NOT NULL, COMMAND_LINE VARCHAR(1000) NOT NULL, EXIT_CODE INT)"""};

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
