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
 * used, and leaves an existing repository alone. Every process that uses a repository calls it first.
 */
public final class RepositorySchema {

    private RepositorySchema() {
    }

    /**
     * Creates what is missing, holding the {@link SchemaCreationLock}: processes that start together on a new
     * repository (servers, workers, commands) each find it either empty or complete, never half-created.
     */
    public static void ensure(DataSource dataSource) throws SQLException {
        SchemaCreationLock.holding(dataSource, c -> {
            if (!tableExists(c, "BATCH_JOB_INSTANCE")) {
                try {
                    populate(dataSource, new ClassPathResource("org/springframework/batch/core/schema-"
                            + platform(c.getMetaData().getDatabaseProductName()) + ".sql"));
                }
                catch (RuntimeException e) {
                    // H2 takes no lock (see SchemaCreationLock): a process racing for the same file may win.
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
        });
    }

    /**
     * livemigrate's own tables in the repository, in SQL that H2, PostgreSQL and MySQL/MariaDB all accept. Throttle:
     * one row per change, the latest per plan is in force. Schedule runs: one row per Quartz fire, for ops to audit.
     * Partition leases: who runs which remote partition (PartitionLeases, scale-out). Verify report:
     * totals and sample differing keys (VerifyReportStore). Rehearsal: per partition and fingerprint while it runs,
     * then one row per fingerprint and one per run (RehearsalStore).
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
              NODE VARCHAR(200) NOT NULL, COMMAND_LINE VARCHAR(1000) NOT NULL, EXIT_CODE INT)""",
            """
            CREATE TABLE IF NOT EXISTS LIVEMIGRATE_PARTITION_LEASE (
              STEP_EXECUTION_ID BIGINT NOT NULL PRIMARY KEY, JOB_EXECUTION_ID BIGINT NOT NULL,
              STEP_NAME VARCHAR(200) NOT NULL, WORKER VARCHAR(300) NOT NULL, BEAT BIGINT NOT NULL,
              STATE VARCHAR(10) NOT NULL, DEAD_BEAT BIGINT)""",
            """
            CREATE TABLE IF NOT EXISTS LIVEMIGRATE_VERIFY_TABLE (
              JOB_INSTANCE_ID BIGINT NOT NULL, JOB_EXECUTION_ID BIGINT NOT NULL, PLAN_NAME VARCHAR(200) NOT NULL,
              TABLE_NAME VARCHAR(300) NOT NULL, ROWS_COMPARED BIGINT NOT NULL, ROWS_MATCHING BIGINT NOT NULL,
              ROWS_MISSING BIGINT NOT NULL, ROWS_EXTRA BIGINT NOT NULL, ROWS_DIFFERENT BIGINT NOT NULL,
              ROWS_IN_FLUX BIGINT NOT NULL, ROWS_REPAIRED BIGINT NOT NULL, VERIFIED_AT TIMESTAMP NOT NULL)""",
            """
            CREATE TABLE IF NOT EXISTS LIVEMIGRATE_VERIFY_DIFF (
              JOB_INSTANCE_ID BIGINT NOT NULL, JOB_EXECUTION_ID BIGINT NOT NULL, TABLE_NAME VARCHAR(300) NOT NULL,
              KEY_TEXT VARCHAR(2000) NOT NULL, KIND VARCHAR(20) NOT NULL, COLUMN_NAMES VARCHAR(2000))""",
            """
            CREATE TABLE IF NOT EXISTS LIVEMIGRATE_REHEARSAL_PART (
              JOB_INSTANCE_ID BIGINT NOT NULL, PARTITION_NAME VARCHAR(100) NOT NULL, FINGERPRINT_ID VARCHAR(16) NOT NULL,
              FINGERPRINT TEXT NOT NULL, SAMPLE_SQL TEXT, SAMPLE_PARAMETERS TEXT, SAMPLE_SETTINGS TEXT,
              SAMPLE_USER VARCHAR(200), EXECUTIONS BIGINT NOT NULL, COMPARED BIGINT NOT NULL, NOT_COMPARED BIGINT NOT NULL,
              NOT_COMPARED_REASON VARCHAR(500), IN_FLUX BIGINT NOT NULL, RESULT_DIFFS BIGINT NOT NULL,
              ERROR_DIFFS BIGINT NOT NULL, FIRST_DIFF TEXT, SOURCE_HIST TEXT, TARGET_HIST TEXT,
              PRIMARY KEY (JOB_INSTANCE_ID, PARTITION_NAME, FINGERPRINT_ID))""",
            """
            CREATE TABLE IF NOT EXISTS LIVEMIGRATE_REHEARSAL_SKIP (
              JOB_INSTANCE_ID BIGINT NOT NULL, PARTITION_NAME VARCHAR(100) NOT NULL, KIND VARCHAR(20) NOT NULL,
              REASON VARCHAR(300) NOT NULL, STATEMENTS BIGINT NOT NULL, EXAMPLE TEXT,
              PRIMARY KEY (JOB_INSTANCE_ID, PARTITION_NAME, KIND, REASON))""",
            """
            CREATE TABLE IF NOT EXISTS LIVEMIGRATE_REHEARSAL (
              JOB_INSTANCE_ID BIGINT NOT NULL, JOB_EXECUTION_ID BIGINT NOT NULL, PLAN_NAME VARCHAR(200) NOT NULL,
              FINGERPRINT_ID VARCHAR(16) NOT NULL, FINGERPRINT TEXT NOT NULL, SAMPLE_SQL TEXT, SAMPLE_PARAMETERS TEXT,
              EXECUTIONS BIGINT NOT NULL, COMPARED BIGINT NOT NULL, NOT_COMPARED BIGINT NOT NULL,
              NOT_COMPARED_REASON VARCHAR(500), IN_FLUX BIGINT NOT NULL, RESULT_DIFFS BIGINT NOT NULL,
              ERROR_DIFFS BIGINT NOT NULL, FIRST_DIFF TEXT, SOURCE_P50_US BIGINT, SOURCE_P95_US BIGINT,
              SOURCE_P99_US BIGINT, SOURCE_MAX_US BIGINT, TARGET_P50_US BIGINT, TARGET_P95_US BIGINT,
              TARGET_P99_US BIGINT, TARGET_MAX_US BIGINT, REGRESSION SMALLINT NOT NULL, SOURCE_PLAN TEXT,
              TARGET_PLAN TEXT, REHEARSED_AT TIMESTAMP NOT NULL)""",
            """
            CREATE TABLE IF NOT EXISTS LIVEMIGRATE_REHEARSAL_RUN (
              JOB_INSTANCE_ID BIGINT NOT NULL, JOB_EXECUTION_ID BIGINT NOT NULL PRIMARY KEY,
              PLAN_NAME VARCHAR(200) NOT NULL, STATEMENTS BIGINT NOT NULL, REPLAYED BIGINT NOT NULL,
              COMPARED BIGINT NOT NULL, SKIPPED BIGINT NOT NULL, FINGERPRINTS BIGINT NOT NULL,
              RESULT_DIFFS BIGINT NOT NULL, ERROR_DIFFS BIGINT NOT NULL, REGRESSIONS BIGINT NOT NULL,
              CATCHUP_RUNNING SMALLINT NOT NULL, CLEAN SMALLINT NOT NULL, FINISHED_AT TIMESTAMP NOT NULL)"""};

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
