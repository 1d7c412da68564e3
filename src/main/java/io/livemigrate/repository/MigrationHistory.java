package io.livemigrate.repository;


import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Read-only queries over the BATCH_* tables for one plan, without starting Spring: what {@code status} shows and
 * what preflight needs to know ("is this plan's copy already recorded?"). Opening it never creates a repository.
 */
public final class MigrationHistory implements AutoCloseable {

    private static final String EXECUTIONS = """
            SELECT i.JOB_NAME, e.JOB_EXECUTION_ID, e.STATUS, e.EXIT_CODE, e.EXIT_MESSAGE, e.START_TIME, e.END_TIME
              FROM BATCH_JOB_INSTANCE i
              JOIN BATCH_JOB_EXECUTION e ON e.JOB_INSTANCE_ID = i.JOB_INSTANCE_ID
              JOIN BATCH_JOB_EXECUTION_PARAMS p ON p.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID
             WHERE p.PARAMETER_NAME = 'plan' AND p.PARAMETER_VALUE = ?
             ORDER BY e.JOB_EXECUTION_ID""";

    private static final String STEPS = """
            SELECT s.STEP_NAME, s.STATUS, s.READ_COUNT, s.WRITE_COUNT, s.COMMIT_COUNT, s.START_TIME, s.END_TIME,
                   s.EXIT_MESSAGE, COALESCE(c.SERIALIZED_CONTEXT, c.SHORT_CONTEXT)
              FROM BATCH_STEP_EXECUTION s
              LEFT JOIN BATCH_STEP_EXECUTION_CONTEXT c ON c.STEP_EXECUTION_ID = s.STEP_EXECUTION_ID
             WHERE s.JOB_EXECUTION_ID IN (
                   SELECT e.JOB_EXECUTION_ID FROM BATCH_JOB_EXECUTION e WHERE e.JOB_INSTANCE_ID = (
                          SELECT JOB_INSTANCE_ID FROM BATCH_JOB_EXECUTION WHERE JOB_EXECUTION_ID = ?))
             ORDER BY s.STEP_EXECUTION_ID""";

    /**
     * Every execution of {@code job} for the plan with its job execution context and the value of one job parameter
     * (e.g. the cutover's run number). A context over 2,500 characters is kept whole only in SERIALIZED_CONTEXT.
     */
    private static final String JOB_EXECUTIONS = """
            SELECT i.JOB_INSTANCE_ID, e.JOB_EXECUTION_ID, e.STATUS, e.EXIT_CODE, e.EXIT_MESSAGE, e.START_TIME,
                   e.END_TIME, COALESCE(c.SERIALIZED_CONTEXT, c.SHORT_CONTEXT),
                   (SELECT MAX(r.PARAMETER_VALUE) FROM BATCH_JOB_EXECUTION_PARAMS r
                     WHERE r.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID AND r.PARAMETER_NAME = ?)
              FROM BATCH_JOB_INSTANCE i
              JOIN BATCH_JOB_EXECUTION e ON e.JOB_INSTANCE_ID = i.JOB_INSTANCE_ID
              JOIN BATCH_JOB_EXECUTION_PARAMS p ON p.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID
              LEFT JOIN BATCH_JOB_EXECUTION_CONTEXT c ON c.JOB_EXECUTION_ID = e.JOB_EXECUTION_ID
             WHERE i.JOB_NAME = ? AND p.PARAMETER_NAME = 'plan' AND p.PARAMETER_VALUE = ?
             ORDER BY e.JOB_EXECUTION_ID""";

    private final Connection connection;

    private MigrationHistory(Connection connection) {
        this.connection = connection;
    }

    /** Empty when the repository does not exist yet (nothing has run). */
    public static Optional<MigrationHistory> open(RepositoryLocation location) throws SQLException {
        if (!location.exists()) {
            return Optional.empty();
        }
        // H2 would create an empty database on connect; IFEXISTS keeps "status" and preflight from writing anything.
        boolean h2 = location.url().startsWith("jdbc:h2:");
        Connection c;
        try {
            c = RepositoryLockRetry.open(() -> DriverManager.getConnection(
                    h2 ? location.url() + ";IFEXISTS=TRUE" : location.url(), location.user(), location.password().reveal()));
        }
        catch (SQLException e) {
            if (h2 && e.getErrorCode() == 90146) {
                return Optional.empty();
            }
            throw location.unreachable(e);
        }
        if (!RepositorySchema.tableExists(c, "BATCH_JOB_INSTANCE")) {
            c.close();
            return Optional.empty();
        }
        return Optional.of(new MigrationHistory(c));
    }

    /** Every job execution of the plan, oldest first. */
    public List<JobRun> executions(String plan) throws SQLException {
        List<JobRun> runs = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(EXECUTIONS)) {
            ps.setString(1, plan);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    runs.add(new JobRun(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getTimestamp(6), rs.getTimestamp(7)));
                }
            }
        }
        return runs;
    }

    /** Every execution of the plan's {@code job}, oldest first, with its context and {@code parameter}'s value. */
    public List<JobExecutionRecord> jobExecutions(String job, String plan, String parameter) throws SQLException {
        List<JobExecutionRecord> runs = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(JOB_EXECUTIONS)) {
            ps.setString(1, parameter);
            ps.setString(2, job);
            ps.setString(3, plan);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    runs.add(new JobExecutionRecord(rs.getLong(1), new JobRun(job, rs.getLong(2), rs.getString(3),
                            rs.getString(4), rs.getString(5), rs.getTimestamp(6), rs.getTimestamp(7)),
                            rs.getString(8), rs.getString(9)));
                }
            }
        }
        return runs;
    }

    public boolean hasJob(String jobName, String plan) throws SQLException {
        return executions(plan).stream().anyMatch(r -> r.jobName().equals(jobName));
    }

    /** Every step execution of the job instance that {@code executionId} belongs to, oldest first. */
    public List<StepRun> steps(long executionId) throws SQLException {
        List<StepRun> steps = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(STEPS)) {
            ps.setLong(1, executionId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    steps.add(new StepRun(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                            rs.getTimestamp(6), rs.getTimestamp(7), rs.getString(8), rs.getString(9)));
                }
            }
        }
        return steps;
    }

    /** The repository connection, for the readers of this package's other records (rehearsals). */
    Connection connection() {
        return connection;
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }

    /** One job execution. */
    public record JobRun(String jobName, long executionId, String status, String exitCode, String exitMessage,
                         Timestamp start, Timestamp end) {
    }

    /** One job execution with its instance, its execution context as stored (JSON) and one parameter's value. */
    public record JobExecutionRecord(long instanceId, JobRun run, String context, String parameter) {
    }

    /** One step execution, with its execution context as stored (JSON). */
    public record StepRun(String name, String status, long readCount, long writeCount, long commitCount,
                          Timestamp start, Timestamp end, String exitMessage, String context) {
    }
}
