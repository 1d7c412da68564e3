package io.livemigrate.verify;

import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The verification report in the job repository database, for ops: totals per table per job execution in
 * LIVEMIGRATE_VERIFY_TABLE, and up to {@link #SAMPLES_PER_TABLE} differing keys per table and job instance in
 * LIVEMIGRATE_VERIFY_DIFF. Plain SQL that H2, PostgreSQL and MySQL/MariaDB all accept; the tables are created with the repository's
 * (io.livemigrate.repository.RepositorySchema).
 * Writes run through the repository's transaction, so sample keys commit with the chunk that found them.
 */
public final class VerifyReportStore {

    public static final int SAMPLES_PER_TABLE = 1_000;
    private static final int KEY_CHARS = 2000;

    private final JdbcTemplate jdbc;

    public VerifyReportStore(DataSource repository) {
        this.jdbc = new JdbcTemplate(repository);
    }

    void addDifferences(long instanceId, long executionId, List<Difference> differences) {
        if (differences.isEmpty()) {
            return;
        }
        List<Object[]> rows = new ArrayList<>();
        for (Difference d : differences) {
            rows.add(new Object[] {instanceId, executionId, d.table(), cut(d.key()), d.kind().name(),
                    d.columns().isEmpty() ? null : cut(String.join(", ", d.columns()))});
        }
        jdbc.batchUpdate("INSERT INTO LIVEMIGRATE_VERIFY_DIFF (JOB_INSTANCE_ID, JOB_EXECUTION_ID, TABLE_NAME, KEY_TEXT,"
                + " KIND, COLUMN_NAMES) VALUES (?, ?, ?, ?, ?, ?)", rows);
    }

    /** Keeps the first {@link #SAMPLES_PER_TABLE} sample keys of a table (partitions each stored up to as many). */
    void trimDifferences(long instanceId, String table) {
        List<Difference> kept = differences(instanceId, table, SAMPLES_PER_TABLE);
        Long execution = jdbc.queryForObject("SELECT MAX(JOB_EXECUTION_ID) FROM LIVEMIGRATE_VERIFY_DIFF"
                + " WHERE JOB_INSTANCE_ID = ? AND TABLE_NAME = ?", Long.class, instanceId, table);
        Integer count = jdbc.queryForObject("SELECT COUNT(*) FROM LIVEMIGRATE_VERIFY_DIFF"
                + " WHERE JOB_INSTANCE_ID = ? AND TABLE_NAME = ?", Integer.class, instanceId, table);
        if (count == null || count <= SAMPLES_PER_TABLE) {
            return;
        }
        jdbc.update("DELETE FROM LIVEMIGRATE_VERIFY_DIFF WHERE JOB_INSTANCE_ID = ? AND TABLE_NAME = ?", instanceId, table);
        addDifferences(instanceId, execution, kept);
    }

    void saveTotals(long instanceId, long executionId, String plan, Map<String, VerifyCounts> totals) {
        jdbc.update("DELETE FROM LIVEMIGRATE_VERIFY_TABLE WHERE JOB_EXECUTION_ID = ?", executionId);
        Timestamp now = Timestamp.from(Instant.now());
        totals.forEach((table, c) -> jdbc.update("INSERT INTO LIVEMIGRATE_VERIFY_TABLE (JOB_INSTANCE_ID, JOB_EXECUTION_ID,"
                        + " PLAN_NAME, TABLE_NAME, ROWS_COMPARED, ROWS_MATCHING, ROWS_MISSING, ROWS_EXTRA, ROWS_DIFFERENT,"
                        + " ROWS_IN_FLUX, ROWS_REPAIRED, VERIFIED_AT) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                instanceId, executionId, plan, table, c.compared(), c.matching(), c.missing(), c.extra(), c.different(),
                c.inFlux(), c.repaired(), now));
    }

    /** Totals per table of one job execution, by table name. */
    public Map<String, VerifyCounts> totals(long executionId) {
        Map<String, VerifyCounts> totals = new LinkedHashMap<>();
        jdbc.query("SELECT TABLE_NAME, ROWS_COMPARED, ROWS_MISSING, ROWS_EXTRA, ROWS_DIFFERENT, ROWS_IN_FLUX, ROWS_REPAIRED"
                        + " FROM LIVEMIGRATE_VERIFY_TABLE WHERE JOB_EXECUTION_ID = ? ORDER BY TABLE_NAME",
                rs -> {
                    totals.put(rs.getString(1), VerifyCounts.of(rs.getLong(2), rs.getLong(3), rs.getLong(4),
                            rs.getLong(5), rs.getLong(6), rs.getLong(7)));
                }, executionId);
        return totals;
    }

    /** Up to {@code limit} sample differences of a table in a job instance. */
    public List<Difference> differences(long instanceId, String table, int limit) {
        JdbcTemplate limited = new JdbcTemplate(jdbc.getDataSource());
        limited.setMaxRows(limit);
        return limited.query("SELECT TABLE_NAME, KEY_TEXT, KIND, COLUMN_NAMES FROM LIVEMIGRATE_VERIFY_DIFF"
                        + " WHERE JOB_INSTANCE_ID = ? AND TABLE_NAME = ? ORDER BY JOB_EXECUTION_ID, KIND, KEY_TEXT",
                (rs, i) -> new Difference(rs.getString(1), rs.getString(2), Difference.Kind.valueOf(rs.getString(3)),
                        rs.getString(4) == null ? List.of() : List.of(rs.getString(4).split(", "))),
                instanceId, table);
    }

    private static String cut(String s) {
        return s.length() <= KEY_CHARS ? s : s.substring(0, KEY_CHARS - 3) + "...";
    }
}
