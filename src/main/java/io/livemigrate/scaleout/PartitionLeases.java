package io.livemigrate.scaleout;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowMapper;

import javax.sql.DataSource;
import java.util.List;

/**
 * Who runs which partition, kept in the job repository next to Spring Batch's tables. A worker claims a partition
 * (one row per step execution: the primary key makes the claim atomic, so a redelivered request is refused) and
 * counts up {@code BEAT} while it runs it (the table is created with the repository's, see
 * io.livemigrate.repository.RepositorySchema). The manager watches the counters with its own clock, so clocks of
 * different machines never matter: a counter that stops moving for the timeout means the worker is gone.
 */
final class PartitionLeases {

    static final String RUNNING = "RUNNING";
    static final String DONE = "DONE";
    static final String DEAD = "DEAD";

    private static final String TABLE = "LIVEMIGRATE_PARTITION_LEASE";
    private static final String COLUMNS = "L.STEP_EXECUTION_ID, L.JOB_EXECUTION_ID, L.STEP_NAME, L.WORKER, L.BEAT, "
            + "L.STATE, L.DEAD_BEAT";

    /** One claimed partition. */
    record Lease(long stepExecutionId, long jobExecutionId, String stepName, String worker, long beat, String state,
                 Long deadBeat) {

        /** Declared dead and silent since: its worker has not beaten once after the manager gave up on it. */
        boolean quietSinceDeclaredDead() {
            return state.equals(DEAD) && deadBeat != null && deadBeat == beat;
        }
    }

    private static final RowMapper<Lease> LEASE = (rs, n) -> new Lease(rs.getLong(1), rs.getLong(2), rs.getString(3),
            rs.getString(4), rs.getLong(5), rs.getString(6), rs.getObject(7) == null ? null : rs.getLong(7));

    private final JdbcTemplate jdbc;

    PartitionLeases(DataSource repository) {
        this.jdbc = new JdbcTemplate(repository);
    }

    /** @return false when another worker claimed it first */
    boolean claim(long stepExecutionId, long jobExecutionId, String stepName, String worker) {
        try {
            jdbc.update("INSERT INTO " + TABLE + " (STEP_EXECUTION_ID, JOB_EXECUTION_ID, STEP_NAME, WORKER, BEAT, STATE) "
                    + "VALUES (?, ?, ?, ?, 0, ?)", stepExecutionId, jobExecutionId, stepName, worker, RUNNING);
            return true;
        }
        catch (DuplicateKeyException e) {
            return false;
        }
    }

    /** Counts one beat; the worker beats on even after the manager declared it dead, so a restart waits for it. */
    void beat(long stepExecutionId) {
        jdbc.update("UPDATE " + TABLE + " SET BEAT = BEAT + 1 WHERE STEP_EXECUTION_ID = ?", stepExecutionId);
    }

    void finish(long stepExecutionId) {
        jdbc.update("UPDATE " + TABLE + " SET STATE = ? WHERE STEP_EXECUTION_ID = ?", DONE, stepExecutionId);
    }

    /**
     * Marks a lease dead if its counter still stands at {@code beat}: a beat that lands meanwhile wins.
     *
     * @return whether it was marked
     */
    boolean declareDead(long stepExecutionId, long beat) {
        return jdbc.update("UPDATE " + TABLE + " SET STATE = ?, DEAD_BEAT = BEAT WHERE STEP_EXECUTION_ID = ? "
                + "AND BEAT = ? AND STATE <> ?", DEAD, stepExecutionId, beat, DONE) == 1;
    }

    /** The leases of one job execution that are not done. */
    List<Lease> unfinished(long jobExecutionId) {
        return jdbc.query("SELECT " + COLUMNS + " FROM " + TABLE + " L WHERE L.JOB_EXECUTION_ID = ? AND L.STATE <> ?",
                LEASE, jobExecutionId, DONE);
    }

    /**
     * Leases of earlier executions of the same job instance that may still be running: not done, and not silent
     * since they were declared dead. A restart must not start their partitions again until they go quiet.
     */
    List<Lease> possiblyRunningBefore(long jobInstanceId, long jobExecutionId) {
        return jdbc.query("SELECT " + COLUMNS + " FROM " + TABLE + " L JOIN BATCH_JOB_EXECUTION E "
                        + "ON E.JOB_EXECUTION_ID = L.JOB_EXECUTION_ID WHERE E.JOB_INSTANCE_ID = ? "
                        + "AND L.JOB_EXECUTION_ID <> ? AND L.STATE <> ?", LEASE, jobInstanceId, jobExecutionId, DONE)
                .stream().filter(l -> !l.quietSinceDeclaredDead()).toList();
    }

    Lease find(long stepExecutionId) {
        List<Lease> found = jdbc.query("SELECT " + COLUMNS + " FROM " + TABLE + " L WHERE L.STEP_EXECUTION_ID = ?",
                LEASE, stepExecutionId);
        return found.isEmpty() ? null : found.get(0);
    }
}
