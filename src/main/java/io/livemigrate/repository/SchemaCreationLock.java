package io.livemigrate.repository;

import org.springframework.batch.infrastructure.support.DatabaseType;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * One process at a time creates a database's schema: a session-level database lock held on one connection while
 * the creator checks what exists and creates what is missing. Several processes meeting a new database at once (a
 * clustered pair of servers, a manager and its workers) otherwise race: PostgreSQL's {@code CREATE TABLE IF NOT
 * EXISTS} fails with a duplicate key in {@code pg_type} when another session creates the same table meanwhile, and
 * scripts that are not idempotent (Quartz's begins with {@code DROP TABLE IF EXISTS}) fail or, worse, drop what a
 * concurrent winner just created. PostgreSQL: {@code pg_advisory_lock}, scoped to the database by PostgreSQL itself.
 * MySQL/MariaDB: {@code GET_LOCK}, server-wide, so named after the current database. Either is released when the
 * holder's session ends, so a process killed mid-creation blocks no one. H2 needs none: a file database is
 * served by one process, which runs DDL one statement at a time.
 */
public final class SchemaCreationLock implements AutoCloseable {

    /** "lmschema" in ASCII: one advisory lock key for livemigrate's schema creation. */
    private static final long POSTGRES_KEY = 0x6c6d736368656d61L;
    private static final String MYSQL_NAME = "CONCAT('livemigrate-schema-', SHA1(COALESCE(DATABASE(), '')))";
    private static final int MYSQL_WAIT_SECONDS = 600;

    private final Connection connection;
    private final String release;

    private SchemaCreationLock(Connection connection, String release) {
        this.connection = connection;
        this.release = release;
    }

    /** Work done while holding the lock; {@code connection} is the holder's, free to use for checks and DDL. */
    public interface Work {
        void run(Connection connection) throws SQLException;
    }

    /** Takes the lock on a connection of its own from {@code dataSource}, runs {@code work}, releases it. */
    public static void holding(DataSource dataSource, Work work) throws SQLException {
        try (Connection c = dataSource.getConnection(); SchemaCreationLock ignored = acquire(c)) {
            work.run(c);
        }
    }

    /** Waits for the lock on {@code connection}, which must stay open until {@link #close()}. */
    public static SchemaCreationLock acquire(Connection connection) throws SQLException {
        DatabaseType type = databaseType(connection);
        if (type == DatabaseType.POSTGRES) {
            execute(connection, "SELECT pg_advisory_lock(" + POSTGRES_KEY + ")");
            return new SchemaCreationLock(connection, "SELECT pg_advisory_unlock(" + POSTGRES_KEY + ")");
        }
        if (type == DatabaseType.MYSQL || type == DatabaseType.MARIADB) {
            try (Statement st = connection.createStatement();
                 ResultSet rs = st.executeQuery("SELECT GET_LOCK(" + MYSQL_NAME + ", " + MYSQL_WAIT_SECONDS + ")")) {
                if (!rs.next() || rs.getInt(1) != 1) {
                    throw new SQLException("waited " + MYSQL_WAIT_SECONDS + " s for another livemigrate process to "
                            + "finish creating the schema of this database; is one stuck? (SELECT IS_USED_LOCK("
                            + MYSQL_NAME + ") gives the holder's connection id)");
                }
            }
            return new SchemaCreationLock(connection, "SELECT RELEASE_LOCK(" + MYSQL_NAME + ")");
        }
        return new SchemaCreationLock(connection, null);
    }

    /** Spring Batch's name for the connection's database; null for one it does not know (which takes no lock). */
    private static DatabaseType databaseType(Connection connection) throws SQLException {
        try {
            return DatabaseType.fromProductName(connection.getMetaData().getDatabaseProductName());
        }
        catch (IllegalArgumentException unknown) {
            return null;
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet ignored = st.executeQuery(sql)) {
            // the lock functions return void (PostgreSQL) or a status checked by the caller
        }
    }

    @Override
    public void close() throws SQLException {
        if (release != null && !connection.isClosed()) {
            execute(connection, release);
        }
    }
}
