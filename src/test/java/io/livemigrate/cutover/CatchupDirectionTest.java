package io.livemigrate.cutover;

import io.livemigrate.testing.CatchupLag;
import io.livemigrate.testing.KeyedTables;
import io.livemigrate.testing.MigrationFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.concurrent.TimeUnit;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Catch-up reads only from the side the application writes to: {@code catchup --reverse} is refused before any
 * cutover and after a rolled-back one (it would write forward-applied rows back onto the live primary), and the
 * forward stream is refused once a cutover has switched (it would carry the reverse stream's writes back).
 */
class CatchupDirectionTest {

    @TempDir
    Path dir;

    @Test
    void eachStreamRunsOnlyFromTheSideTheApplicationWritesTo() throws Exception {
        MigrationFixture m = KeyedTables.fixture(dir, "postgres", "direction");
        try (Connection s = m.source()) {
            execute(s, "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'direction_app') THEN "
                    + "CREATE ROLE direction_app; END IF; END $$");
        }
        // The operator's switch: it fails on the way to the target while fail-switch exists, and can always go back.
        Path script = dir.resolve("switch.sh");
        Files.writeString(script, "[ \"$TARGET_DATABASE\" = '" + m.targetDatabase() + "' ] && [ -e '"
                + dir.resolve("fail-switch") + "' ] && exit 3\nexit 0\n");
        Files.createFile(dir.resolve("fail-switch"));
        PostgresCutoverTest.appendCutover(m, "fence: read-only\n  switch: command\n  command: \"sh " + script + "\"\n"
                + "  app-roles: [direction_app]\n  max-pause: 10s\n  max-lag: 2s\n");
        assertThat(m.run("copy")).as(m.output()).isZero();
        assertThat(m.run("catchup", "--reverse", "--until-caught-up")).as(m.output()).isEqualTo(2);
        assertThat(m.output()).contains("refused").contains("run cutover first");

        Process catchup = PostgresCutoverTest.startChild(m, "catchup");
        try {
            awaitCaughtUp(m, catchup);
            assertThat(m.run("cutover", "--skip-verify")).as(m.output()).isEqualTo(1);
            assertThat(m.output()).contains("rolled back");
            assertThat(m.run("catchup", "--reverse", "--until-caught-up")).as(m.output()).isEqualTo(2);
            assertThat(m.output()).contains("a rolled-back cutover leaves the source primary");

            Files.delete(dir.resolve("fail-switch"));
            awaitCaughtUp(m, catchup);
            assertThat(m.run("cutover", "--skip-verify")).as(m.output()).isZero();
            assertThat(catchup.waitFor(60, TimeUnit.SECONDS)).as("step 9 stops the forward stream").isTrue();
        }
        finally {
            catchup.destroy();
            catchup.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(m.run("catchup", "--until-caught-up")).as(m.output()).isEqualTo(2);
        assertThat(m.output()).contains("would carry the reverse stream's writes back");
        assertThat(m.run("catchup", "--reverse", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
    }

    private static void awaitCaughtUp(MigrationFixture m, Process catchup) throws Exception {
        CatchupLag.awaitUnder(m, m.planName(), 1.0, catchup, () -> {
            try (Connection s = m.source()) {
                execute(s, "UPDATE acct SET v = v + 1 WHERE id = 5");
            }
        });
    }
}
