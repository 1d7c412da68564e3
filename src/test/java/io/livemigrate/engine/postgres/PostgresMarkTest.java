package io.livemigrate.engine.postgres;

import io.livemigrate.engine.WalPosition;
import io.livemigrate.demo.EmbeddedServer;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.api.Test;
import org.postgresql.replication.LogSequenceNumber;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cutover drains to the mark: every transaction the source acknowledged before the mark must commit before it in
 * the WAL, even with {@code synchronous_commit = off} (the embedded server's setting), where a commit is acknowledged
 * once its record is inserted, before the WAL is written: a mark read from the write position can lie before it.
 */
class PostgresMarkTest {

    @Test
    void everyCommitAcknowledgedBeforeTheMarkLiesBeforeIt() throws Exception {
        EmbeddedServer pg = TestDatabases.postgres();
        String url = pg.newDatabase("mark");
        try (Connection app = DriverManager.getConnection(url, pg.user(), pg.password());
             Connection livemigrate = DriverManager.getConnection(url, pg.user(), pg.password());
             Statement st = app.createStatement()) {
            execute(app, "SET synchronous_commit = off", "CREATE TABLE t (id serial PRIMARY KEY, v text)");
            for (int i = 0; i < 200; i++) {
                st.execute("INSERT INTO t (v) VALUES (repeat('x', 100))");
                long committedBefore;
                try (ResultSet rs = st.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
                    rs.next();
                    committedBefore = LogSequenceNumber.valueOf(rs.getString(1)).asLong();
                }
                WalPosition mark = PostgresMark.mark(livemigrate);
                assertThat(mark.lsnValue()).as("round " + i)
                        .isGreaterThanOrEqualTo(committedBefore);
            }
        }
    }

    /**
     * A logical walsender sends only flushed WAL: a mark left to the WAL writer (synchronous_commit off) reached
     * catch-up up to wal_writer_delay later, with the application's writes held by the drain meanwhile. The mark is
     * flushed by the time it returns.
     */
    @Test
    void theMarkIsFlushedWhenItReturnsSoTheStreamCanSendItAtOnce() throws Exception {
        EmbeddedServer pg = TestDatabases.postgres();
        String url = pg.newDatabase("markflush");
        try (Connection app = DriverManager.getConnection(url, pg.user(), pg.password());
             Connection livemigrate = DriverManager.getConnection(url, pg.user(), pg.password());
             Statement st = livemigrate.createStatement()) {
            execute(app, "SET synchronous_commit = off", "CREATE TABLE t (id serial PRIMARY KEY, v text)");
            execute(livemigrate, "SET synchronous_commit = off");
            for (int i = 0; i < 50; i++) {
                execute(app, "INSERT INTO t (v) VALUES (repeat('x', 100))");
                long mark = PostgresMark.mark(livemigrate).lsnValue();
                try (ResultSet rs = st.executeQuery("SELECT pg_current_wal_flush_lsn()::text")) {
                    rs.next();
                    assertThat(LogSequenceNumber.valueOf(rs.getString(1)).asLong()).as("round " + i)
                            .isGreaterThan(mark);
                }
            }
        }
    }
}
