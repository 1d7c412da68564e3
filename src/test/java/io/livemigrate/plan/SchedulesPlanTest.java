package io.livemigrate.plan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@code schedules} section of a plan and of ops/schedules files: parsed, and refused precisely. */
class SchedulesPlanTest {

    @TempDir
    Path dir;

    private final PlanLoader loader = new PlanLoader(new EnvironmentResolver(Map.<String, String>of()::get));

    private static final String PLAN = """
            name: shop-move
            source: { url: "jdbc:postgresql://127.0.0.1:5432/shop", user: app }
            target: { url: "jdbc:postgresql://127.0.0.1:5433/shop", user: app }
            tables: { include: ["public.*"] }
            """;

    @Test
    void schedulesAreReadInOrderWithCommandsAsStringsOrLists() throws IOException {
        MigrationPlan plan = loader.load(write(PLAN + """
                schedules:
                  nightly-verify: { cron: "0 0 2 * * ?", command: verify, time-zone: UTC }
                  business-hours: { cron: "0 0 8 ? * MON-FRI", command: "throttle --rows-per-second 2000" }
                  lag-rule: { cron: "0 0 0 * * ?", command: [throttle, --lag-query, "SELECT 1 + 1", --max-lag, "5"] }
                """));
        assertThat(plan.schedules()).extracting(Schedule::name)
                .containsExactly("nightly-verify", "business-hours", "lag-rule");
        assertThat(plan.schedules().get(0).timeZone()).isEqualTo("UTC");
        assertThat(plan.schedules().get(1).command()).containsExactly("throttle", "--rows-per-second", "2000");
        assertThat(plan.schedules().get(2).command()).contains("SELECT 1 + 1");
        assertThat(loader.load(write(PLAN)).schedules()).isEmpty();
    }

    @Test
    void badCronExpressionSaysWhereAndWhatAGoodOneLooksLike() throws IOException {
        Path file = write(PLAN + "schedules:\n  nightly: { cron: \"0 0 25 * * ?\", command: verify }\n");
        assertThatThrownBy(() -> loader.load(file)).isInstanceOf(PlanException.class)
                .hasMessageStartingWith(file + ": schedules.nightly.cron: '0 0 25 * * ?' is not a valid cron expression")
                .hasMessageContaining("\"0 0 2 * * ?\" is 02:00 daily");
        Path five = write(PLAN + "schedules:\n  nightly: { cron: \"0 2 * * *\", command: verify }\n");
        assertThatThrownBy(() -> loader.load(five)).hasMessageContaining("schedules.nightly.cron: '0 2 * * *' is not a "
                + "valid cron expression");
    }

    @Test
    void unknownCommandsKeysZonesAndOwnPlanOptionsAreRefused() throws IOException {
        assertRefused("{ cron: \"0 0 2 * * ?\", command: drop-everything }",
                "schedules.s.command: must start with one of [check, copy, verify");
        assertRefused("{ cron: \"0 0 2 * * ?\", command: \"verify --plan other.yml\" }",
                "schedules.s.command: must not give --plan");
        assertRefused("{ cron: \"0 0 2 * * ?\", command: verify, every: 5 }", "schedules.s.every: unknown key");
        assertRefused("{ cron: \"0 0 2 * * ?\", command: verify, time-zone: Mars/Olympus }",
                "schedules.s.time-zone: 'Mars/Olympus' is not a time zone");
        assertRefused("{ command: verify }", "schedules.s.cron: missing");
    }

    @Test
    void schedulesFilesHoldOnlySchedules() throws IOException {
        Path file = dir.resolve("nightly.yml");
        Files.writeString(file, "schedules:\n  nightly: { cron: \"0 0 2 * * ?\", command: verify }\n");
        List<Schedule> schedules = loader.loadSchedules(file);
        assertThat(schedules).singleElement().extracting(Schedule::cron).isEqualTo("0 0 2 * * ?");
        Files.writeString(file, "name: x\nschedules: {}\n");
        assertThatThrownBy(() -> loader.loadSchedules(file)).hasMessageContaining("name: unknown key");
    }

    @Test
    void shippedScheduleFilesLoad() throws IOException {
        try (var files = Files.list(Path.of("ops", "schedules"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yml")).toList()) {
                assertThat(loader.loadSchedules(f)).as(f.toString()).isNotEmpty();
            }
        }
    }

    private void assertRefused(String schedule, String message) throws IOException {
        Path file = write(PLAN + "schedules:\n  s: " + schedule + "\n");
        assertThatThrownBy(() -> loader.load(file)).isInstanceOf(PlanException.class).hasMessageContaining(message);
    }

    private Path write(String yaml) throws IOException {
        Path file = Files.createTempFile(dir, "plan", ".yml");
        Files.writeString(file, yaml);
        return file;
    }
}
