package io.livemigrate.catchup;

import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.EngineKind;
import io.livemigrate.engine.Engines;
import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The cutover's drain with four apply connections, as step 3 waits (a mark written on the source, then the target's
 * applied position awaited past it), while writers go on: once the position has passed the mark, every write the
 * source acknowledged before the mark is on the target, whichever connection applied it; rows written since may be
 * newer, never older. Ten marks, under load; then {@code stop}, still under load, ends with every connection's
 * transactions committed: nothing past the watermark.
 */
class ParallelCatchupMarkTest {

    @TempDir
    Path dir;

    @Test
    void whenTheAppliedPositionPassesAMarkEveryConnectionHasAppliedEverythingBeforeIt() throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.postgres(), dir, "pmark")
                .copyOptions("{ threads: 2, chunk-rows: 200, partition-rows: 500 }").applyThreads(4);
        try (Connection s = m.source()) {
            execute(s, VersionWriters.DDL);
        }
        assertThat(m.run("copy")).as(m.output()).isZero();
        Process child = m.startAppending("catchup");
        try (VersionWriters writers = new VersionWriters(m::source, 3, 5)) {
            m.awaitCatchupApplying(child);
            for (int r = 0; r < 10; r++) {
                int round = r;
                writers.awaitMoreCommitted(100);
                Map<String, Integer> beforeTheMark = new HashMap<>(writers.acknowledged);
                ChangePosition mark;
                try (Connection s = m.source()) {
                    mark = Engines.of(EngineKind.POSTGRESQL).markPosition(s, m.planName());
                }
                try (Connection t = m.target()) {
                    Optional<ChangePosition> applied = CatchupState.awaitApplied(t, m.planName(), mark,
                            System.currentTimeMillis() + Duration.ofSeconds(120).toMillis(), 2, seen -> { });
                    assertThat(applied).as("round %d: applied past the mark %s\n%s", round, mark,
                            m.childLog("catchup")).isPresent();
                    Map<String, Integer> target = versions(t);
                    beforeTheMark.forEach((row, version) -> assertThat(target.get(row))
                            .as("round %d: %s acknowledged at version %d before the mark", round, row, version)
                            .isNotNull().isGreaterThanOrEqualTo(version));
                }
            }
            // stopped under load, it finishes what its connections hold: nothing is left past the watermark
            assertThat(m.run("stop")).as(m.output()).isZero();
            assertThat(child.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(child.exitValue()).as(m.childLog("catchup")).isZero();
        }
        finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
        try (Connection t = m.target(); PreparedStatement ps = t.prepareStatement("SELECT w.applied, "
                + "w.position = s.position FROM livemigrate.catchup_window w JOIN livemigrate.catchup_state s "
                + "ON s.plan = w.plan"); ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).as("transactions committed past the watermark").isEmpty();
            assertThat(rs.getBoolean(2)).as("the window is the watermark's").isTrue();
        }
    }

    private static Map<String, Integer> versions(Connection t) throws SQLException {
        Map<String, Integer> versions = new HashMap<>();
        for (String table : new String[] {"kv", "kv_child"}) {
            try (PreparedStatement ps = t.prepareStatement("SELECT id, version FROM " + table);
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    versions.put(table + ":" + rs.getLong(1), rs.getInt(2));
                }
            }
        }
        return versions;
    }
}
