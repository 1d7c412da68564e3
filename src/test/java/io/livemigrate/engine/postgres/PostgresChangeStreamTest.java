package io.livemigrate.engine.postgres;

import io.livemigrate.catchup.ChangeEvent;
import io.livemigrate.catchup.RowChange;
import io.livemigrate.demo.EmbeddedServer;
import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;
import io.livemigrate.plan.Endpoint;
import io.livemigrate.plan.Secret;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The pgoutput stream against the embedded PostgreSQL: what is received ahead of the first poll. */
class PostgresChangeStreamTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int TRANSACTIONS = 3_000;

    @Test
    void messagesReceivedAheadComeFirstInOrderAndABacklogPastTheBoundIsNotLost() throws Exception {
        String url = TestDatabases.postgres().newDatabase("ahead");
        String db = EmbeddedServer.databaseOf(url);
        TableId id = new TableId("public", "t");
        String slot = "lm_ahead_" + db;
        ChangePosition start;
        TableInfo table;
        try (Connection c = TestDatabases.postgres().connect(db)) {
            execute(c, "CREATE TABLE t (id bigint PRIMARY KEY, v text)");
            PostgresPublication.ensure(c, slot, List.of(id));
            start = PostgresSlot.capture(c, slot);
            table = PostgresCatalog.describe(c, id).orElseThrow();
            // one source transaction per row: thousands of Begin/Insert/Commit messages, ~100 bytes each
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO t VALUES (?, repeat('x', 50))")) {
                for (int i = 1; i <= TRANSACTIONS; i++) {
                    ps.setLong(1, i);
                    ps.executeUpdate();
                }
            }
        }
        Endpoint source = new Endpoint("source", url, TestDatabases.postgres().user(), Secret.of(""));
        List<Long> inserted = new ArrayList<>();
        int commits = 0;
        try (PostgresChangeStream stream = PostgresChangeStream.open(source, start, List.of(table), slot)) {
            // far below the backlog: the thread stops at the bound and the rest waits in the socket
            stream.receiveAhead(16 * 1024);
            Thread.sleep(500);
            while (commits < TRANSACTIONS) {
                ChangeEvent e = stream.poll(WAIT);
                assertThat(e).as("an event within " + WAIT + " after " + commits + " commits").isNotNull()
                        .isNotInstanceOf(ChangeEvent.Stop.class);
                if (e instanceof ChangeEvent.Change change) {
                    assertThat(change.change().kind()).isEqualTo(RowChange.Kind.INSERT);
                    inserted.add(Long.parseLong(change.change().after().get("id").text()));
                }
                else if (e instanceof ChangeEvent.Commit) {
                    commits++;
                }
            }
        }
        finally {
            try (Connection c = TestDatabases.postgres().connect(db)) {
                execute(c, "SELECT pg_drop_replication_slot('" + slot + "')");
            }
        }
        assertThat(inserted).containsExactlyElementsOf(LongStream.rangeClosed(1, TRANSACTIONS).boxed().toList());
    }

    private static void execute(Connection c, String... sql) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }
}
