package io.livemigrate.copy;

import io.livemigrate.demo.EmbeddedServer;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.api.Test;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Which errors a slice copy retries, as the servers themselves raise them: deadlocks, serialization failures and lock
 * wait timeouts are tried {@link SliceCopyWriter#ATTEMPTS} times in all; anything else fails at once.
 */
class SliceCopyRetryTest {

    @Test
    void postgresDeadlocksSerializationFailuresAndLockTimeoutsAreRetried() throws Exception {
        EmbeddedServer pg = TestDatabases.postgres();
        String db = EmbeddedServer.databaseOf(pg.newDatabase("slice_retry"));
        try (Connection c = pg.connect(db)) {
            for (String state : new String[] {"40P01", "40001", "55P03"}) {
                assertThat(attemptsRaising(c, "DO $$BEGIN RAISE EXCEPTION 'raised' USING ERRCODE = '" + state
                        + "'; END$$")).as(state).isEqualTo(SliceCopyWriter.ATTEMPTS);
            }
            assertThat(attemptsRaising(c, "DO $$BEGIN RAISE EXCEPTION 'raised' USING ERRCODE = '23505'; END$$"))
                    .isEqualTo(1);
            assertThat(attemptsRaising(c, "SELECT * FROM no_such_table")).isEqualTo(1);
        }
    }

    @Test
    void mysqlDeadlocksAndLockWaitTimeoutsAreRetried() throws Exception {
        EmbeddedServer mariadb = TestDatabases.mariadb();
        String db = EmbeddedServer.databaseOf(mariadb.newDatabase("slice_retry"));
        try (Connection c = mariadb.connect(db)) {
            for (String signal : new String[] {"SQLSTATE '40001' SET MYSQL_ERRNO = 1213",
                    "SQLSTATE 'HY000' SET MYSQL_ERRNO = 1205"}) {
                assertThat(attemptsRaising(c, "SIGNAL " + signal)).as(signal).isEqualTo(SliceCopyWriter.ATTEMPTS);
            }
            assertThat(attemptsRaising(c, "SIGNAL SQLSTATE '23000' SET MYSQL_ERRNO = 1062")).isEqualTo(1);
        }
    }

    @Test
    void aRealLockWaitTimeoutIsRetried() throws Exception {
        EmbeddedServer mariadb = TestDatabases.mariadb();
        String db = EmbeddedServer.databaseOf(mariadb.newDatabase("slice_retry_lock"));
        try (Connection holder = mariadb.connect(db); Connection waiter = mariadb.connect(db)) {
            execute(holder, "CREATE TABLE t (id int PRIMARY KEY)");
            execute(holder, "INSERT INTO t VALUES (1)");
            holder.setAutoCommit(false);
            execute(holder, "UPDATE t SET id = 1 WHERE id = 1");
            execute(waiter, "SET SESSION innodb_lock_wait_timeout = 1");
            assertThat(attemptsRaising(waiter, "UPDATE t SET id = 1 WHERE id = 1"))
                    .isEqualTo(SliceCopyWriter.ATTEMPTS);
            holder.rollback();
        }
    }

    /** How many times the retry ran {@code sql}, which fails every time. */
    private static int attemptsRaising(Connection c, String sql) {
        RetryTemplate retry = SliceCopyWriter.transientRetry(
                new SQLErrorCodeSQLExceptionTranslator(new SingleConnectionDataSource(c, true)));
        AtomicInteger attempts = new AtomicInteger();
        assertThatThrownBy(() -> retry.execute(() -> {
            attempts.incrementAndGet();
            execute(c, sql);
            return null;
        })).isInstanceOf(RetryException.class).cause().isInstanceOf(SQLException.class);
        return attempts.get();
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }
}
