package io.livemigrate.rehearse;

import io.livemigrate.repository.RehearsalHistory;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rehearsal's records in the job repository database. While it runs, each partition keeps one row per fingerprint
 * (LIVEMIGRATE_REHEARSAL_PART, histograms included) and one per skip reason (LIVEMIGRATE_REHEARSAL_SKIP), written
 * through the repository's transaction so they commit with the chunk's checkpoint: a restarted partition counts every
 * statement once. The report step merges them into one row per fingerprint (LIVEMIGRATE_REHEARSAL) and one per run
 * (LIVEMIGRATE_REHEARSAL_RUN), which {@link RehearsalHistory} reads for the report, the cutover's gate, {@code status},
 * the status page and the metrics. Plain SQL that H2,
 * PostgreSQL and MySQL/MariaDB all accept; the tables are created with the repository's.
 */
public final class RehearsalStore {

    static final int TEXT_CHARS = 20_000;

    private final JdbcTemplate jdbc;

    public RehearsalStore(DataSource repository) {
        this.jdbc = new JdbcTemplate(repository);
    }

    /** Adds a chunk's statistics to the partition's rows. */
    void addToPartition(long instance, String partition, Map<String, FingerprintStats> shapes,
                        Map<List<String>, Long> skips, Map<List<String>, String> examples) {
        for (FingerprintStats delta : shapes.values()) {
            String id = Texts.id(delta.fingerprint);
            List<FingerprintStats> existing = jdbc.query("SELECT FINGERPRINT, SAMPLE_SQL, SAMPLE_PARAMETERS,"
                    + " SAMPLE_SETTINGS, SAMPLE_USER, EXECUTIONS, COMPARED, NOT_COMPARED, NOT_COMPARED_REASON, IN_FLUX,"
                    + " RESULT_DIFFS, ERROR_DIFFS, FIRST_DIFF, SOURCE_HIST, TARGET_HIST FROM LIVEMIGRATE_REHEARSAL_PART"
                    + " WHERE JOB_INSTANCE_ID = ? AND PARTITION_NAME = ? AND FINGERPRINT_ID = ?",
                    (rs, i) -> stats(rs), instance, partition, id);
            FingerprintStats merged = existing.isEmpty() ? new FingerprintStats(delta.fingerprint) : existing.get(0);
            merged.merge(delta);
            Object[] values = {cut(merged.sampleSql), cut(merged.sampleParameters), cut(merged.sampleSettings),
                    Texts.cut(merged.sampleUser, 200), merged.executions, merged.compared, merged.notCompared,
                    Texts.cut(merged.notComparedReason, 500), merged.inFlux, merged.resultDiffs, merged.errorDiffs,
                    cut(merged.firstDifference), FingerprintStats.encode(merged.source),
                    FingerprintStats.encode(merged.target), instance, partition, id};
            if (existing.isEmpty()) {
                Object[] insert = new Object[values.length + 1];
                System.arraycopy(values, 0, insert, 0, values.length);
                insert[values.length] = cut(merged.fingerprint);
                jdbc.update("INSERT INTO LIVEMIGRATE_REHEARSAL_PART (SAMPLE_SQL, SAMPLE_PARAMETERS, SAMPLE_SETTINGS,"
                        + " SAMPLE_USER, EXECUTIONS, COMPARED, NOT_COMPARED, NOT_COMPARED_REASON, IN_FLUX, RESULT_DIFFS,"
                        + " ERROR_DIFFS, FIRST_DIFF, SOURCE_HIST, TARGET_HIST, JOB_INSTANCE_ID, PARTITION_NAME,"
                        + " FINGERPRINT_ID, FINGERPRINT) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        insert);
            }
            else {
                jdbc.update("UPDATE LIVEMIGRATE_REHEARSAL_PART SET SAMPLE_SQL = ?, SAMPLE_PARAMETERS = ?,"
                        + " SAMPLE_SETTINGS = ?, SAMPLE_USER = ?, EXECUTIONS = ?, COMPARED = ?, NOT_COMPARED = ?,"
                        + " NOT_COMPARED_REASON = ?, IN_FLUX = ?, RESULT_DIFFS = ?, ERROR_DIFFS = ?, FIRST_DIFF = ?,"
                        + " SOURCE_HIST = ?, TARGET_HIST = ? WHERE JOB_INSTANCE_ID = ? AND PARTITION_NAME = ?"
                        + " AND FINGERPRINT_ID = ?", values);
            }
        }
        skips.forEach((kindAndReason, count) -> {
            String kind = kindAndReason.get(0);
            String reason = Texts.cut(kindAndReason.get(1), 300);
            int updated = jdbc.update("UPDATE LIVEMIGRATE_REHEARSAL_SKIP SET STATEMENTS = STATEMENTS + ?"
                    + " WHERE JOB_INSTANCE_ID = ? AND PARTITION_NAME = ? AND KIND = ? AND REASON = ?",
                    count, instance, partition, kind, reason);
            if (updated == 0) {
                jdbc.update("INSERT INTO LIVEMIGRATE_REHEARSAL_SKIP (JOB_INSTANCE_ID, PARTITION_NAME, KIND, REASON,"
                        + " STATEMENTS, EXAMPLE) VALUES (?, ?, ?, ?, ?, ?)", instance, partition, kind, reason, count,
                        cut(examples.get(kindAndReason)));
            }
        });
    }

    private static FingerprintStats stats(java.sql.ResultSet rs) throws java.sql.SQLException {
        FingerprintStats s = new FingerprintStats(rs.getString(1), FingerprintStats.decode(rs.getString(14)),
                FingerprintStats.decode(rs.getString(15)));
        s.sampleSql = rs.getString(2);
        s.sampleParameters = rs.getString(3);
        s.sampleSettings = rs.getString(4);
        s.sampleUser = rs.getString(5);
        s.executions = rs.getLong(6);
        s.compared = rs.getLong(7);
        s.notCompared = rs.getLong(8);
        s.notComparedReason = rs.getString(9);
        s.inFlux = rs.getLong(10);
        s.resultDiffs = rs.getLong(11);
        s.errorDiffs = rs.getLong(12);
        s.firstDifference = rs.getString(13);
        return s;
    }

    /** Every partition's statistics of a job instance merged per fingerprint. */
    Map<String, FingerprintStats> merged(long instance) {
        Map<String, FingerprintStats> shapes = new LinkedHashMap<>();
        jdbc.query("SELECT FINGERPRINT, SAMPLE_SQL, SAMPLE_PARAMETERS, SAMPLE_SETTINGS, SAMPLE_USER, EXECUTIONS,"
                + " COMPARED, NOT_COMPARED, NOT_COMPARED_REASON, IN_FLUX, RESULT_DIFFS, ERROR_DIFFS, FIRST_DIFF,"
                + " SOURCE_HIST, TARGET_HIST, FINGERPRINT_ID FROM LIVEMIGRATE_REHEARSAL_PART WHERE JOB_INSTANCE_ID = ?"
                + " ORDER BY FINGERPRINT_ID, PARTITION_NAME", rs -> {
                    FingerprintStats s = stats(rs);
                    FingerprintStats into = shapes.get(rs.getString(16));
                    if (into == null) {
                        shapes.put(rs.getString(16), s);
                    }
                    else {
                        into.merge(s);
                    }
                }, instance);
        return shapes;
    }

    /** Statements not replayed, per kind (SKIPPED, SETTING, NOT_SAMPLED) and reason, with an example of each. */
    public List<Skip> skips(long instance) {
        return jdbc.query("SELECT KIND, REASON, SUM(STATEMENTS), MIN(EXAMPLE) FROM LIVEMIGRATE_REHEARSAL_SKIP"
                + " WHERE JOB_INSTANCE_ID = ? GROUP BY KIND, REASON ORDER BY 3 DESC, 2",
                (rs, i) -> new Skip(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4)), instance);
    }

    public record Skip(String kind, String reason, long statements, String example) {
    }

    void saveReport(long instance, long execution, String plan, List<FingerprintReport> shapes,
                    RehearsalHistory.Run run) {
        jdbc.update("DELETE FROM LIVEMIGRATE_REHEARSAL WHERE JOB_EXECUTION_ID = ?", execution);
        jdbc.update("DELETE FROM LIVEMIGRATE_REHEARSAL_RUN WHERE JOB_EXECUTION_ID = ?", execution);
        Timestamp now = Timestamp.from(Instant.now());
        for (FingerprintReport r : shapes) {
            FingerprintStats s = r.stats();
            jdbc.update("INSERT INTO LIVEMIGRATE_REHEARSAL (JOB_INSTANCE_ID, JOB_EXECUTION_ID, PLAN_NAME,"
                            + " FINGERPRINT_ID, FINGERPRINT, SAMPLE_SQL, SAMPLE_PARAMETERS, EXECUTIONS, COMPARED,"
                            + " NOT_COMPARED, NOT_COMPARED_REASON, IN_FLUX, RESULT_DIFFS, ERROR_DIFFS, FIRST_DIFF,"
                            + " SOURCE_P50_US, SOURCE_P95_US, SOURCE_P99_US, SOURCE_MAX_US, TARGET_P50_US, TARGET_P95_US,"
                            + " TARGET_P99_US, TARGET_MAX_US, REGRESSION, SOURCE_PLAN, TARGET_PLAN, REHEARSED_AT)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    instance, execution, plan, Texts.id(s.fingerprint), cut(s.fingerprint), cut(s.sampleSql),
                    cut(s.sampleParameters), s.executions, s.compared, s.notCompared,
                    Texts.cut(s.notComparedReason, 500), s.inFlux, s.resultDiffs, s.errorDiffs, cut(s.firstDifference),
                    r.source().p50(), r.source().p95(), r.source().p99(), r.source().max(), r.target().p50(),
                    r.target().p95(), r.target().p99(), r.target().max(), r.regression() ? 1 : 0,
                    cut(r.sourcePlan()), cut(r.targetPlan()), now);
        }
        jdbc.update("INSERT INTO LIVEMIGRATE_REHEARSAL_RUN (JOB_INSTANCE_ID, JOB_EXECUTION_ID, PLAN_NAME, STATEMENTS,"
                        + " REPLAYED, COMPARED, SKIPPED, FINGERPRINTS, RESULT_DIFFS, ERROR_DIFFS, REGRESSIONS,"
                        + " CATCHUP_RUNNING, CLEAN, FINISHED_AT) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                instance, execution, plan, run.statements(), run.replayed(), run.compared(), run.skipped(),
                run.fingerprints(), run.resultDiffs(), run.errorDiffs(), run.regressions(),
                run.catchupRunning() ? 1 : 0, run.clean() ? 1 : 0, Timestamp.from(run.finishedAt()));
    }

    /** The rehearsal of one job execution. */
    public Optional<RehearsalHistory.Run> run(long execution) {
        return jdbc.execute((ConnectionCallback<Optional<RehearsalHistory.Run>>) c -> RehearsalHistory.run(c, execution));
    }

    /** The plan's latest finished rehearsal, or its latest clean one. */
    public Optional<RehearsalHistory.Run> latest(String plan, boolean cleanOnly) {
        return jdbc.execute((ConnectionCallback<Optional<RehearsalHistory.Run>>) c -> RehearsalHistory.latest(c, plan,
                cleanOnly));
    }

    /** The fingerprints of a finished rehearsal, worst first. */
    public List<RehearsalHistory.Row> rows(long execution) {
        return jdbc.execute((ConnectionCallback<List<RehearsalHistory.Row>>) c -> RehearsalHistory.rows(c, execution));
    }

    private static String cut(String s) {
        return Texts.cut(s, TEXT_CHARS);
    }
}
