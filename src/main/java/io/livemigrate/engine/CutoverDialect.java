package io.livemigrate.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** What the cutover does differently per engine ({@link Engine#cutover()}); the job's steps only talk to this. */
public interface CutoverDialect {

    /** Sequences / AUTO_INCREMENT on the target set at or past the source's values; returns how many were set. */
    int advanceSequences(Connection source, Connection target, List<TableId> sourceTables,
                         java.util.function.UnaryOperator<TableId> targetTable) throws SQLException;

    /**
     * Where the reverse stream (target to source) starts: nothing written on the target after this point may be
     * missed. Creates what change capture needs on the target (PostgreSQL: publication and slot).
     */
    ChangePosition reverseStart(Engine engine, Connection target, String captureName, List<TableId> tables)
            throws SQLException;

    /**
     * Before the fence: creates what the reverse stream needs on the target ahead of time (PostgreSQL: creating a
     * slot waits for the server's running transactions, time the write pause should not carry), so that
     * {@link #reverseStart} only reads a position. True when it created something a rollback should remove.
     */
    default boolean prepareReverse(Engine engine, Connection target, String captureName, List<TableId> tables)
            throws SQLException {
        return false;
    }

    /** Removes what {@link #prepareReverse} created, when the cutover is rolled back. */
    default void dropPreparedReverse(Connection target, String captureName) throws SQLException {
    }

    /** Whether PgBouncer can front this engine's servers ({@code switch: pgbouncer}): it speaks PostgreSQL only. */
    default boolean pgBouncerFronts() {
        return false;
    }

    /**
     * Whether {@code fence: read-only} needs the application's roles ({@code app-roles}) to fence anything; where it
     * does not, listing them is optional.
     */
    default boolean readOnlyFenceNeedsAppRoles() {
        return false;
    }

    /**
     * The write fence of {@code fence: read-only} on {@code source}; {@code target} is the primary after the switch.
     *
     * @param tables the plan's tables on {@code source}
     * @param pair   the name both directions of the plan share (a fence one direction leaves, the other lifts)
     */
    Fence readOnlyFence(javax.sql.DataSource source, javax.sql.DataSource target, String database, List<String> appRoles,
                        List<TableId> tables, String pair);

    /**
     * What stops a cutover before its fence, on this engine; each a sentence with what to do. PostgreSQL: prepared
     * transactions, whose writes commit whenever someone commits them (past any fence), and which creating the
     * reverse stream's slot would wait for forever.
     */
    default List<String> problems(Connection source, Connection target) throws SQLException {
        return List.of();
    }

    /** Removes the change-capture objects and state tables livemigrate made on this server (complete). */
    List<String> dropCaptureObjects(Connection c, String captureName) throws SQLException;
}
