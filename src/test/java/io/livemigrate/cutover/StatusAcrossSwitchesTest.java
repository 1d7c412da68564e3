package io.livemigrate.cutover;

import io.livemigrate.demo.EmbeddedServer;
import io.livemigrate.testing.FailingSwitch;
import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TestDatabases;
import io.livemigrate.testing.TestServer;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code status} and {@code status --json} say which side is primary and list every cutover and revert with its
 * step timings, writes held and re-check counts, through a rolled-back cutover, a cutover, a revert and
 * {@code complete} (PostgreSQL, read-only fence, an operator's switch command).
 */
class StatusAcrossSwitchesTest {

    private static final List<String> STEPS = CutoverJobConfiguration.STEPS;

    @TempDir
    Path dir;

    @Test
    void statusFollowsEverySwitchAndComplete() throws Exception {
        FailingSwitch scenario = FailingSwitch.postgres(dir, "status", "status_app", "  reverify-budget: 5s\n");
        MigrationFixture m = scenario.migration();
        // A PostgreSQL job repository: status's SQL on a second kind of repository (ServerTest reads H2's)
        EmbeddedServer pg = TestDatabases.postgres();
        m.repository(TestServer.of(pg).newDatabase("status_repo") + "?user=" + pg.user() + "&password=" + pg.password());
        assertThat(m.run("copy")).as(m.output()).isZero();
        SoftAssertions softly = new SoftAssertions();
        JsonNode status = status(m);
        softly.assertThat(status.path("primary").asString()).as("primary after the copy").isEqualTo("source");

        Process forward = PostgresCutoverTest.startChild(m, "catchup");
        try {
            scenario.awaitCaughtUp(forward, m.planName(), m::source);
            assertThat(m.run("cutover", "--skip-verify")).as(m.output()).isEqualTo(1);
            status = status(m);
            softly.assertThat(status.path("primary").asString()).as("primary after a rolled-back cutover")
                    .isEqualTo("source");
            List<JsonNode> switches = switches(status);
            softly.assertThat(switches).as("switches after a rolled-back cutover").hasSize(1);
            if (!switches.isEmpty()) {
                JsonNode failed = switches.get(0);
                softly.assertThat(failed.path("direction").asString()).isEqualTo("cutover");
                softly.assertThat(failed.path("status").asString()).isEqualTo("FAILED");
                softly.assertThat(failed.path("rolledBack").asBoolean()).isTrue();
                softly.assertThat(failed.path("switched").asBoolean()).isFalse();
                softly.assertThat(stepNames(failed)).as("steps of the rolled-back run").startsWith("1-preconditions");
                softly.assertThat(failed.path("steps").findValuesAsString("status")).as("its step statuses")
                        .contains("FAILED");
                softly.assertThat(failed.path("message").asString()).as("why it failed and what was undone")
                        .contains("the switch command exited with 3").contains("rolled back");
            }

            scenario.letTheSwitchSucceed();
            scenario.awaitCaughtUp(forward, m.planName(), m::source);
            assertThat(m.run("cutover", "--skip-verify")).as(m.output()).isZero();
            assertThat(forward.waitFor(60, TimeUnit.SECONDS)).as("step 9 stops the forward stream").isTrue();
        }
        finally {
            forward.destroy();
            forward.waitFor(30, TimeUnit.SECONDS);
        }
        status = status(m);
        softly.assertThat(status.path("primary").asString()).as("primary after the cutover").isEqualTo("target");
        softly.assertThat(status.path("phase").asString()).as("phase after the cutover").contains("cut over")
                .contains("target is primary");
        List<JsonNode> switches = switches(status);
        softly.assertThat(switches).as("switches after the cutover").hasSize(2);
        if (switches.size() == 2) {
            assertCompletedRun(softly, switches.get(1), "cutover", 2);
        }
        softly.assertThat(text(m)).as("status after the cutover").contains("primary: target")
                .containsPattern("cutover +2 +COMPLETED").contains("writes held").contains("4-reverify");

        Process reverse = PostgresCutoverTest.startChild(m, "catchup", "--reverse");
        try {
            scenario.awaitCaughtUp(reverse, m.planName() + "-reverse", m::target);
            assertThat(m.run("revert")).as(m.output()).isZero();
            assertThat(reverse.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        finally {
            reverse.destroy();
            reverse.waitFor(30, TimeUnit.SECONDS);
        }
        status = status(m);
        softly.assertThat(status.path("primary").asString()).as("primary after the revert").isEqualTo("source");
        softly.assertThat(status.path("phase").asString()).as("phase after the revert").contains("reverted")
                .contains("source is primary");
        switches = switches(status);
        softly.assertThat(switches).as("switches after the revert").hasSize(3);
        if (switches.size() == 3) {
            assertCompletedRun(softly, switches.get(2), "revert", 1);
        }

        assertThat(m.run("complete")).as(m.output()).isZero();
        status = status(m);
        softly.assertThat(status.path("primary").asString()).as("primary after complete").isEqualTo("source");
        softly.assertThat(status.path("phase").asString()).as("phase after complete").contains("completed")
                .contains("source is primary");
        softly.assertThat(status.path("completion").path("status").asString()).as("complete's record")
                .isEqualTo("COMPLETED");
        softly.assertThat(switches(status)).as("switches after complete").hasSize(3);
        softly.assertThat(text(m)).as("status after complete").contains("completed").contains("primary: source");
        // complete is recorded once: running it again does nothing and says so
        assertThat(m.run("complete")).as(m.output()).isZero();
        softly.assertThat(m.output()).contains("already");
        softly.assertAll();
    }

    /** A completed switch: every step timed, writes held, every changed key re-checked (N of N, at least one). */
    private static void assertCompletedRun(SoftAssertions softly, JsonNode run, String direction, int number) {
        softly.assertThat(run.path("direction").asString()).as("direction").isEqualTo(direction);
        softly.assertThat(run.path("run").asLong()).as("run number of the %s", direction).isEqualTo(number);
        softly.assertThat(run.path("status").asString()).isEqualTo("COMPLETED");
        softly.assertThat(run.path("switched").asBoolean()).isTrue();
        softly.assertThat(run.path("rolledBack").asBoolean()).isFalse();
        softly.assertThat(run.path("pauseMillis").isNumber()).as("writes held recorded").isTrue();
        // every numbered step is timed, as a step of its own or as a timed phase of one
        List<String> timed = new ArrayList<>();
        for (JsonNode step : run.path("steps")) {
            softly.assertThat(step.path("status").asString()).as("status of %s", step.path("name")).isEqualTo("COMPLETED");
            softly.assertThat(step.path("millis").isNumber()).as("duration of %s", step.path("name")).isTrue();
            softly.assertThat(step.path("millis").asLong()).as("duration of %s", step.path("name")).isNotNegative();
            timed.add(step.path("name").asString());
            for (JsonNode phase : step.path("phases")) {
                softly.assertThat(phase.path("millis").asLong()).as("phase %s", phase.path("name")).isNotNegative();
                timed.add(phase.path("name").asString());
            }
        }
        softly.assertThat(timed).as("steps and phases of the %s", direction).containsAll(STEPS);
        JsonNode reverify = run.path("reverify");
        softly.assertThat(reverify.path("changed").asLong()).as("keys changed before the %s", direction).isPositive();
        softly.assertThat(reverify.path("checked").asLong()).as("keys re-checked in the %s", direction)
                .isEqualTo(reverify.path("changed").asLong());
        softly.assertThat(reverify.path("summary").asString()).as("re-verify summary")
                .matches("(\\d+) of \\1 key\\(s\\) checked, all equal.*");
    }

    private static List<String> stepNames(JsonNode run) {
        List<String> names = new ArrayList<>();
        run.path("steps").forEach(s -> names.add(s.path("name").asString()));
        return names;
    }

    private static List<JsonNode> switches(JsonNode status) {
        List<JsonNode> list = new ArrayList<>();
        status.path("switches").forEach(list::add);
        return list;
    }

    private static JsonNode status(MigrationFixture m) throws Exception {
        assertThat(m.run("status", "--json")).as(m.output()).isZero();
        return JsonMapper.builder().build().readTree(m.output());
    }

    private static String text(MigrationFixture m) throws Exception {
        assertThat(m.run("status")).as(m.output()).isZero();
        return m.output();
    }
}
