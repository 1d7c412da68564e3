package io.livemigrate.catchup;

import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TableContents;
import io.livemigrate.testing.TestDatabases;
import io.livemigrate.testing.TestServer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A manual benchmark, not part of {@code ./mvnw verify} (its name matches no surefire pattern): how long catch-up
 * takes to drain a known backlog (30,000 updates and 10,000 inserts in 200 source transactions), in process, minus
 * the time of a run with nothing to apply. Run it with {@code ./mvnw -o test -Dtest=CatchupDrainBench}.
 */
class CatchupDrainBench {

    private static final int ROUNDS = 5;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"postgres", "mariadb"})
    void drain(String engine) throws Exception {
        boolean mysql = engine.equals("mariadb");
        MigrationFixture m = new MigrationFixture(mysql ? TestServer.of(TestDatabases.mariadb())
                : TestServer.of(TestDatabases.postgres()), dir, "bench" + engine);
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE bench (id bigint PRIMARY KEY, v int NOT NULL, note varchar(40))");
            insert(s, 1, 30_000);
        }
        assertThat(m.run("copy")).as(m.output()).isZero();
        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
        long idle = Long.MAX_VALUE;
        for (int i = 0; i < 2; i++) {
            long start = System.nanoTime();
            assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
            idle = Math.min(idle, System.nanoTime() - start);
        }
        long next = 1_000_000;
        java.util.List<Long> times = new java.util.ArrayList<>();
        for (int round = 1; round <= ROUNDS; round++) {
            try (Connection s = m.source()) {
                s.setAutoCommit(false);
                for (int tx = 0; tx < 150; tx++) {
                    execute(s, "UPDATE bench SET v = v + 1 WHERE id > " + tx * 200 + " AND id <= " + (tx + 1) * 200);
                    s.commit();
                }
                for (int tx = 0; tx < 50; tx++) {
                    insert(s, next, 200);
                    next += 200;
                    s.commit();
                }
            }
            long start = System.nanoTime();
            assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
            long ms = (System.nanoTime() - start - idle) / 1_000_000;
            times.add(ms);
            System.out.printf("BENCH %s round %d: 40,000 changes in 200 transactions drained in %d ms beyond an idle run "
                    + "(%d ms); %.0f changes/s%n", engine, round, ms, idle / 1_000_000, 40_000 * 1000.0 / Math.max(1, ms));
        }
        java.util.Collections.sort(times);
        System.out.printf("BENCH %s summary: min %d ms, median %d ms over %d rounds%n", engine, times.get(0),
                times.get(times.size() / 2), times.size());
        try (Connection s = m.source(); Connection t = m.target()) {
            assertThat(TableContents.count(t, "bench")).isEqualTo(TableContents.count(s, "bench"));
        }
    }

    private static void insert(Connection s, long from, int rows) throws Exception {
        try (PreparedStatement ps = s.prepareStatement("INSERT INTO bench VALUES (?, 0, 'n')")) {
            for (long id = from; id < from + rows; id++) {
                ps.setLong(1, id);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
