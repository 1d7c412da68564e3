package io.livemigrate.cutover;

import io.livemigrate.testing.FailingSwitch;
import io.livemigrate.testing.MigrationFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

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
        FailingSwitch scenario = FailingSwitch.postgres(dir, "direction", "direction_app", "");
        MigrationFixture m = scenario.migration();
        assertThat(m.run("copy")).as(m.output()).isZero();
        assertThat(m.run("catchup", "--reverse", "--until-caught-up")).as(m.output()).isEqualTo(2);
        assertThat(m.output()).contains("refused").contains("run cutover first");

        Process catchup = PostgresCutoverTest.startChild(m, "catchup");
        try {
            scenario.awaitCaughtUp(catchup, m.planName(), m::source);
            assertThat(m.run("cutover", "--skip-verify")).as(m.output()).isEqualTo(1);
            assertThat(m.output()).contains("rolled back");
            assertThat(m.run("catchup", "--reverse", "--until-caught-up")).as(m.output()).isEqualTo(2);
            assertThat(m.output()).contains("a rolled-back cutover leaves the source primary");

            scenario.letTheSwitchSucceed();
            scenario.awaitCaughtUp(catchup, m.planName(), m::source);
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
}
