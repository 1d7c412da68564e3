package io.livemigrate.repository;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The finished rehearsals the job repository records, one row per run (LIVEMIGRATE_REHEARSAL_RUN) and per fingerprint
 * of a run (LIVEMIGRATE_REHEARSAL), as the rehearse command's report, the cutover's gate, {@code status}, the status
 * page and the metrics read them. Plain SQL that H2, PostgreSQL and MySQL/MariaDB all accept.
 */
public final class RehearsalHistory {

    private static final String RUNS = "SELECT JOB_EXECUTION_ID, STATEMENTS, REPLAYED, COMPARED, SKIPPED, FINGERPRINTS,"
            + " RESULT_DIFFS, ERROR_DIFFS, REGRESSIONS, CATCHUP_RUNNING, CLEAN, FINISHED_AT FROM LIVEMIGRATE_REHEARSAL_RUN";
    private static final String ROWS = "SELECT FINGERPRINT_ID, FINGERPRINT, SAMPLE_SQL, EXECUTIONS, COMPARED,"
            + " NOT_COMPARED, NOT_COMPARED_REASON, IN_FLUX, RESULT_DIFFS, ERROR_DIFFS, FIRST_DIFF, SOURCE_P50_US,"
            + " SOURCE_P95_US, SOURCE_P99_US, SOURCE_MAX_US, TARGET_P50_US, TARGET_P95_US, TARGET_P99_US, TARGET_MAX_US,"
            + " REGRESSION, SOURCE_PLAN, TARGET_PLAN FROM LIVEMIGRATE_REHEARSAL WHERE JOB_EXECUTION_ID = ?";

    private RehearsalHistory() {
    }

    /** One finished rehearsal. Clean: results compared at matched positions, no difference, no regression. */
    public record Run(long execution, long statements, long replayed, long compared, long skipped, long fingerprints,
                      long resultDiffs, long errorDiffs, long regressions, boolean catchupRunning, boolean clean,
                      Instant finishedAt) {

        /** CLEAN, DIFFERENCES (results, errors or regressions) or NOT COMPARED (catch-up was not running). */
        public String outcome() {
            return resultDiffs + errorDiffs + regressions > 0 ? "DIFFERENCES" : clean ? "CLEAN" : "NOT COMPARED";
        }
    }

    /** One fingerprint of a finished rehearsal, as stored; latencies in microseconds. */
    public record Row(String id, String fingerprint, String sampleSql, long executions, long compared,
                      long notCompared, String notComparedReason, long inFlux, long resultDiffs, long errorDiffs,
                      String firstDiff, Percentiles source, Percentiles target, boolean regression, String sourcePlan,
                      String targetPlan) {

        public long differences() {
            return resultDiffs + errorDiffs;
        }

        /** Target p95 over source p95 (0 when the source never ran it). */
        public double slowdown() {
            return source.p95() <= 0 ? 0 : (double) target.p95() / source.p95();
        }
    }

    /** The latest finished rehearsal of a plan and its fingerprints, worst first. */
    public record Rehearsal(Run run, List<Row> worst) {
    }

    /** Differences first, then regressions, then the target's slowdown. */
    public static final Comparator<Row> WORST_FIRST = Comparator.comparingLong((Row r) -> -r.differences())
            .thenComparing(r -> !r.regression())
            .thenComparingDouble(r -> -r.slowdown())
            .thenComparing(Row::fingerprint);

    /** The rehearsal of one job execution. */
    public static Optional<Run> run(Connection c, long execution) throws SQLException {
        return runs(c, "JOB_EXECUTION_ID = ?", execution).stream().findFirst();
    }

    /** The plan's latest finished rehearsal, or its latest clean one. */
    public static Optional<Run> latest(Connection c, String plan, boolean cleanOnly) throws SQLException {
        return runs(c, "PLAN_NAME = ?" + (cleanOnly ? " AND CLEAN = 1" : ""), plan).stream().findFirst();
    }

    /** The fingerprints of a finished rehearsal, worst first. */
    public static List<Row> rows(Connection c, long execution) throws SQLException {
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(ROWS)) {
            ps.setLong(1, execution);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5),
                            rs.getLong(6), rs.getString(7), rs.getLong(8), rs.getLong(9), rs.getLong(10),
                            rs.getString(11), new Percentiles(rs.getLong(12), rs.getLong(13), rs.getLong(14),
                            rs.getLong(15)), new Percentiles(rs.getLong(16), rs.getLong(17), rs.getLong(18),
                            rs.getLong(19)), rs.getInt(20) == 1, rs.getString(21), rs.getString(22)));
                }
            }
        }
        rows.sort(WORST_FIRST);
        return rows;
    }

    /**
     * The plan's latest finished rehearsal with its {@code limit} worst fingerprints; empty when none finished (or the
     * repository predates the rehearsal's tables).
     */
    static Optional<Rehearsal> latestWithWorst(Connection c, String plan, int limit) throws SQLException {
        if (!RepositorySchema.tableExists(c, "LIVEMIGRATE_REHEARSAL_RUN")) {
            return Optional.empty();
        }
        Optional<Run> run = latest(c, plan, false);
        if (run.isEmpty()) {
            return Optional.empty();
        }
        List<Row> rows = rows(c, run.get().execution());
        return Optional.of(new Rehearsal(run.get(), List.copyOf(rows.subList(0, Math.min(limit, rows.size())))));
    }

    private static List<Run> runs(Connection c, String where, Object value) throws SQLException {
        List<Run> runs = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(RUNS + " WHERE " + where
                + " ORDER BY FINISHED_AT DESC, JOB_EXECUTION_ID DESC")) {
            ps.setObject(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Timestamp finished = rs.getTimestamp(12);
                    runs.add(new Run(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                            rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getInt(10) == 1,
                            rs.getInt(11) == 1, finished.toInstant()));
                }
            }
        }
        return runs;
    }
}
