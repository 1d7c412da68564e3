package io.livemigrate.engine;

import io.livemigrate.demo.EmbeddedServer;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The change stream tells catch-up which transaction is a cutover's mark, so catch-up commits it at once while the
 * drain waits with the application's writes held: the mark's transaction arrives marked, and no other one does,
 * whether the mark follows application transactions or comes on an idle stream.
 */
class CutoverMarkStreamTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @ParameterizedTest
    @EnumSource(EngineKind.class)
    void onlyTheMarksTransactionArrivesMarked(EngineKind kind) throws Exception {
        EmbeddedServer server = kind == EngineKind.POSTGRESQL ? TestDatabases.postgres() : TestDatabases.mariadb();
        Engine engine = Engines.of(kind);
        String url = server.newDatabase("markstream");
        String schema = kind == EngineKind.POSTGRESQL ? "public" : EmbeddedServer.databaseOf(url);
        String capture = "lm_markstream_" + kind.name().toLowerCase();
        Random random = new Random(7);
        try (Connection c = DriverManager.getConnection(url, server.user(), server.password())) {
            execute(c, "CREATE TABLE t (id int PRIMARY KEY, v varchar(20))");
            TableId t = new TableId(schema, "t");
            TableInfo info = engine.describe(c, t).orElseThrow();
            ChangePosition from = engine.capturePosition(c, capture, List.of(t));
            Endpoint source = new Endpoint("source", url, server.user(), Secret.of(server.password()));
            try (ChangeStream stream = engine.openChangeStream(source, from, List.of(info), capture)) {
                int id = 0;
                for (int round = 0; round < 6; round++) {
                    int writes = random.nextInt(4); // 0: the mark comes on an idle stream
                    for (int i = 0; i < writes; i++) {
                        execute(c, "INSERT INTO t VALUES (" + (++id) + ", 'x')");
                    }
                    engine.markPosition(c, "markstream");
                    List<Boolean> marks = commitsUntil(stream);
                    assertThat(marks).as("round %d (%d writes): commits up to the mark, marked?", round, writes)
                            .last().isEqualTo(true);
                    assertThat(marks.subList(0, marks.size() - 1)).as("round %d: the application's commits", round)
                            .doesNotContain(true);
                }
            }
            finally {
                if (kind == EngineKind.POSTGRESQL) {
                    execute(c, "SELECT pg_drop_replication_slot('" + capture + "')");
                }
            }
        }
    }

    /** The mark flag of each Commit until a marked one (null last when none came within the wait). */
    private static List<Boolean> commitsUntil(ChangeStream stream) throws Exception {
        List<Boolean> marks = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            ChangeEvent e = stream.poll(Duration.ofMillis(200));
            assertThat(e).isNotInstanceOf(ChangeEvent.Stop.class);
            if (e instanceof ChangeEvent.Commit commit) {
                marks.add(commit.mark());
                if (commit.mark()) {
                    return marks;
                }
                stream.acknowledge(commit.position());
            }
        }
        marks.add(null);
        return marks;
    }
}
