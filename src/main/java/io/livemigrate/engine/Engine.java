package io.livemigrate.engine;

import com.zaxxer.hikari.HikariDataSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Everything that differs between PostgreSQL and MySQL/MariaDB, so jobs stay free of engine checks.
 * Implementations are stateless and thread-safe; connections are passed in.
 */
public interface Engine {

    EngineKind kind();

    Dialect dialect();

    /**
     * The schema that tables of {@code sourceSchema} have on the target. MySQL/MariaDB name tables by database, so the
     * database in the source URL maps to the database in the target URL (moving {@code shop} into {@code shop_v2} on
     * the same or another server) and other databases keep their names; PostgreSQL schemas keep their names.
     */
    default String targetSchema(Endpoint source, Endpoint target, String sourceSchema) {
        return sourceSchema;
    }

    /**
     * A connection pool to one side, every connection set up for exact copying (UTC time zone, permissive
     * modes the copy needs). The password goes to the driver only.
     */
    HikariDataSource openPool(Endpoint endpoint, int maxConnections);

    /** The tables {@code selected} accepts (the plan's table filter), in a stable order. Views, system schemas and livemigrate's own state are never listed. */
    List<TableId> listTables(Connection connection, Predicate<TableId> selected) throws SQLException;

    /** The table's definition, or empty when it does not exist on this server. */
    Optional<TableInfo> describe(Connection connection, TableId table) throws SQLException;

    /**
     * The statements that recreate the source table as {@code targetTable} on a target of the same engine,
     * secondary indexes deferred.
     */
    TableDdl tableDdl(Connection source, TableInfo table, TableId targetTable) throws SQLException;

    /** Server-level problems: privileges, change-capture prerequisites (warnings until catch-up exists). */
    List<Finding> checkServer(Connection connection, Endpoint endpoint, boolean isSource) throws SQLException;

    /** Table-level problems beyond a missing key: column types livemigrate cannot carry. */
    List<Finding> checkTable(Connection source, TableInfo table) throws SQLException;

    /** How each side orders a table's text key columns, for the check that both sides agree. */
    KeyOrdering keyOrdering();

    /**
     * Problems of a source table that only the target shows: e.g. an extension its column types come from that the
     * target server does not offer.
     */
    default List<Finding> checkTableOnTarget(Connection source, Connection target, TableInfo table)
            throws SQLException {
        return List.of();
    }

    /**
     * Key values that split the table into about {@code ranges} ranges of similar row counts, sorted, distinct,
     * taken from sampled rows (never MIN..MAX arithmetic, so text, UUID and composite keys split well).
     * May return fewer (or none, for a small table).
     */
    List<KeyValue> sampleBoundaries(Connection source, TableInfo table, int ranges) throws SQLException;

    /**
     * Makes the rows of {@code targetTable} in the key range {@code (lowerExclusive, upperInclusive]} equal to the source's,
     * through the engine's bulk path: deletes the range on the target (unless {@code range} is {@link TargetRange#EMPTY}),
     * then streams the source rows in. A null bound is unbounded. Runs inside the target connection's open transaction; the caller commits,
     * so a redo after a crash is harmless.
     *
     * @return rows written
     */
    long copyRange(Connection source, Connection target, TableInfo table, TableId targetTable,
                   KeyValue lowerExclusive, KeyValue upperInclusive, TargetRange range) throws SQLException;

    /**
     * Fixes where change capture will start, before the copy reads its first row: PostgreSQL creates (or
     * keeps) the logical replication slot {@code captureName}; MySQL/MariaDB reads the binlog file, position and
     * GTID set.
     */
    ChangePosition capturePosition(Connection source, String captureName) throws SQLException;

    /**
     * The verification digests of {@code table} (its source definition), one canonical row encoding for both sides;
     * {@code source} and {@code target} are asked only which functions they offer, so both compute the same hash.
     */
    ChunkDigester chunkDigester(Connection source, Connection target, TableInfo table) throws SQLException;

    /**
     * A position on the source that the catch-up of {@code plan} has applied once every transaction committed on the
     * source before this call is on the target; it also commits a tiny marker transaction after that position, so an
     * otherwise idle stream still moves past it. The cutover drains to it with writes fenced; verification waits for
     * it before rechecking rows that may only be in flux.
     */
    ChangePosition markPosition(Connection source, String plan) throws SQLException;

    /** What the cutover, revert and complete do differently on this engine. */
    CutoverDialect cutover();

    /** What replaying the application's logged reads on both sides does differently on this engine (rehearse). */
    RehearsalDialect rehearsal();

    /**
     * As {@link #capturePosition(Connection, String)}, knowing the plan's tables: PostgreSQL creates the publication
     * for them before the slot, so every change after the slot's start is published.
     */
    default ChangePosition capturePosition(Connection source, String captureName, List<TableId> tables)
            throws SQLException {
        return capturePosition(source, captureName);
    }

    /**
     * The source's change log from {@code from} on (catch-up).
     *
     * @param tables      the tables to capture: {@code id} is the source table, {@code columns} and
     *                    {@code keyColumns} are what the target table has now, i.e. what the applier can apply. A
     *                    change whose columns no longer match (DDL on the source) is a {@code ChangeEvent.Stop}.
     * @param captureName the plan's capture name (PostgreSQL slot and publication)
     */
    ChangeStream openChangeStream(Endpoint source, ChangePosition from, List<TableInfo> tables, String captureName)
            throws SQLException;

    /**
     * An insert-or-replace of one row image on the target table: parameters are the text values of {@code columns}
     * (a subset of the table's copied columns, every key column included) in order, each read through
     * {@link Dialect#keyParameter}. Columns not listed keep their value when the row exists.
     */
    String upsertSql(TableInfo table, TableId targetTable, List<Column> columns);

    /**
     * The same upsert for many rows in one statement, or null where the engine has none (the applier then sends
     * {@link #upsertSql} once per row, batched): one parameter per column, a text array holding that column's value
     * of every row (SQL NULL elements for NULL), rows in the same order in every array; no key twice.
     */
    default String upsertManySql(TableInfo table, TableId targetTable, List<Column> columns) {
        return null;
    }

    /**
     * Whether {@link #upsertSql} on this target table can change a row other than the one whose key it names (MySQL's
     * {@code ON DUPLICATE KEY UPDATE} fires on any unique key, so with a second one an upsert can update the row that
     * holds its unique value). The applier then deletes such a table's upserted keys and inserts their images.
     */
    default boolean upsertMayTouchOtherRows(Connection target, TableId targetTable) throws SQLException {
        return false;
    }

    /**
     * The foreign keys from or to {@code tables} whose CASCADE or SET NULL actions change child rows that the source's
     * change log does not carry (InnoDB runs them inside the engine); catch-up repeats them on the target. Empty
     * where the log carries every changed row (PostgreSQL).
     */
    default List<CascadingForeignKey> unloggedCascades(Connection source, List<TableId> tables) throws SQLException {
        return List.of();
    }

    /**
     * Repeats {@code key}'s delete action on the target's child rows whose parent row is absent there (deletes them, or
     * empties their referencing columns for SET NULL), returning how many rows it changed. Catch-up runs it once it has
     * applied past the copy's end, where only an unlogged cascade the copy's fuzzy rows hid can leave such a row.
     */
    default long repeatDeleteActionOnOrphans(Connection target, CascadingForeignKey key, TableId childTarget,
                                             TableId parentTarget) throws SQLException {
        return 0;
    }

    /**
     * The table's unique keys, the foreign keys it references others by, and how its columns' text identifies their
     * values, on the source: what orders two of its changes in parallel catch-up (docs/design.md, "Parallel apply").
     */
    ApplyKeys applyKeys(Connection source, TableInfo table) throws SQLException;

    /**
     * A statement that rewrites one existing row in place where the engine cannot UPDATE some of {@code set} (a
     * PostgreSQL GENERATED ALWAYS identity column), or null for a plain UPDATE: parameters are the text values of
     * {@code set} in order, then the row's current key; columns not in {@code set} keep their value (unchanged TOAST
     * values come along); the update count is the number of rows rewritten.
     */
    default String rewriteRowSql(TableInfo table, TableId targetTable, List<Column> set) {
        return null;
    }

    /** A delete of many keys in one statement, as {@link #upsertManySql}: one text array per key column; or null. */
    default String deleteManySql(TableInfo table, TableId targetTable) {
        return null;
    }

    /**
     * A statement that, run inside a transaction of an apply session, makes that commit durable, for engines whose
     * apply session commits asynchronously (see {@link #applySessionSetup()}); null when every commit is durable.
     */
    default String durableCommitStatement() {
        return null;
    }

    /** Statements run once on the target connection that applies changes (e.g. foreign keys not re-checked). */
    List<String> applySessionSetup();

    /**
     * Creates livemigrate's catch-up state tables if missing: {@code livemigrate.catchup_state(plan varchar(200)
     * primary key, position varchar(2000), commit_time varchar(40), applied_at varchar(40))} and
     * {@code livemigrate.changed_keys(plan varchar(200), batch bigint, part int, key_count int, entries text)},
     * primary key {@code (plan, batch, part)}, append-only (see {@code ChangedKeys}),
     * {@code livemigrate.catchup_window(plan varchar(200) primary key, position varchar(2000), applied text)} (parallel
     * catch-up's transactions applied past the position, see {@code AppliedWindow}), and
     * {@code livemigrate.deferred_ddl(plan, target_table, phase, ordinal, statement, built_at)} (see
     * {@code DeferredDdl}).
     */
    List<String> catchupStateDdl();
}
