package io.livemigrate.plan;

import io.livemigrate.engine.EngineKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlanLoaderTest {

    @TempDir
    Path dir;

    private final PlanLoader loader = new PlanLoader(new EnvironmentResolver(
            Map.of("SOURCE_PASSWORD", "s3cret-source", "TARGET_PASSWORD", "s3cret-target")::get));

    private static final String GOOD = """
            name: shop-move
            source: { url: "jdbc:postgresql://127.0.0.1:5432/shop", user: app, password: "${SOURCE_PASSWORD}" }
            target: { url: "jdbc:postgresql://127.0.0.1:5433/shop", user: app, password: "${TARGET_PASSWORD}" }
            tables: { include: ["public.*"], exclude: ["public.audit_*"] }
            copy: { threads: 4, chunk-rows: 10000 }
            """;

    @Test
    void loadsAGoodPlanAndResolvesVariables() throws IOException {
        MigrationPlan plan = loader.load(write(GOOD));
        assertThat(plan.name()).isEqualTo("shop-move");
        assertThat(plan.source().password().reveal()).isEqualTo("s3cret-source");
        assertThat(plan.target().password().reveal()).isEqualTo("s3cret-target");
        assertThat(plan.engineKind()).isEqualTo(EngineKind.POSTGRESQL);
        assertThat(plan.copy().threads()).isEqualTo(4);
        assertThat(plan.copy().partitionRows()).isEqualTo(CopyOptions.DEFAULTS.partitionRows());
        assertThat(plan.tables().matches("public.orders")).isTrue();
        assertThat(plan.tables().matches("public.audit_log")).isFalse();
        assertThat(plan.tables().matches("other.orders")).isFalse();
        assertThat(plan.toString()).doesNotContain("s3cret");
    }

    @Test
    void serverSectionGivesBindUserAndPasswordFileButNeverAPassword() throws IOException {
        Path plan = write(GOOD + "server: { bind: 0.0.0.0, user: ops, password-file: /etc/livemigrate/pw }\n");
        assertThat(loader.server(plan)).isEqualTo(new ServerOptions("0.0.0.0", "ops", Path.of("/etc/livemigrate/pw")));
        assertThat(loader.server(write(GOOD))).isEqualTo(ServerOptions.DEFAULTS);
        Path withPassword = write(GOOD + "server: { bind: 0.0.0.0, password: s3cret }\n");
        assertThatThrownBy(() -> loader.load(withPassword)).isInstanceOf(PlanException.class)
                .hasMessageStartingWith(withPassword + ": server.password: ")
                .hasMessageContaining("LIVEMIGRATE_SERVER_PASSWORD").hasMessageContaining("password-file")
                .hasMessageNotContaining("s3cret");
        Path unknown = write(GOOD + "server: { port: 8080 }\n");
        assertThatThrownBy(() -> loader.load(unknown)).hasMessageStartingWith(unknown + ": server.port: unknown key");
    }

    @Test
    void missingKeyNamesFileAndKey() throws IOException {
        Path file = write(GOOD.replace("name: shop-move\n", ""));
        assertThatThrownBy(() -> loader.load(file)).isInstanceOf(PlanException.class)
                .hasMessage(file + ": name: missing; every plan needs it");
    }

    @Test
    void unknownKeyIsRefusedWithTheKnownOnes() throws IOException {
        Path file = write(GOOD.replace("threads: 4", "thread: 4"));
        assertThatThrownBy(() -> loader.load(file)).hasMessageStartingWith(file + ": copy.thread: unknown key")
                .hasMessageContaining("threads");
    }

    @Test
    void badUrlSaysWhatAUrlLooksLike() throws IOException {
        Path file = write(GOOD.replace("jdbc:postgresql://127.0.0.1:5433/shop", "postgres://somewhere/shop"));
        assertThatThrownBy(() -> loader.load(file)).hasMessageStartingWith(file + ": target.url: 'postgres://somewhere/shop'")
                .hasMessageContaining("jdbc:postgresql://host:port/database");
    }

    @Test
    void unsetVariableIsNamed() throws IOException {
        Path file = write(GOOD.replace("${TARGET_PASSWORD}", "${NOT_SET_ANYWHERE}"));
        assertThatThrownBy(() -> loader.load(file))
                .hasMessageStartingWith(file + ": target.password: environment variable NOT_SET_ANYWHERE is not set");
    }

    @Test
    void variableDefaultIsUsedWhenUnset() throws IOException {
        MigrationPlan plan = loader.load(write(GOOD.replace("${TARGET_PASSWORD}", "${NOT_SET:-fallback}")));
        assertThat(plan.target().password().reveal()).isEqualTo("fallback");
    }

    @Test
    void enginesMustMatch() throws IOException {
        Path file = write(GOOD.replace("jdbc:postgresql://127.0.0.1:5433/shop", "jdbc:mysql://127.0.0.1:3306/shop"));
        assertThatThrownBy(() -> loader.load(file)).hasMessageContaining("target.url: source is PostgreSQL but target is MySQL/MariaDB");
    }

    @Test
    void numbersAreChecked() throws IOException {
        assertThatThrownBy(() -> loader.load(write(GOOD.replace("threads: 4", "threads: many"))))
                .hasMessageContaining("copy.threads: 'many' is not a whole number");
        assertThatThrownBy(() -> loader.load(write(GOOD.replace("threads: 4", "threads: 0"))))
                .hasMessageContaining("copy.threads: 0 is out of range");
    }

    @Test
    void catchupApplyThreadsDefaultsToOneAndIsChecked() throws IOException {
        assertThat(loader.load(write(GOOD)).catchup().applyThreads()).isEqualTo(1);
        MigrationPlan four = loader.load(write(GOOD + "catchup: { apply-threads: 4 }\n"));
        assertThat(four.catchup().applyThreads()).isEqualTo(4);
        assertThat(four.reversed().catchup().applyThreads()).as("the reverse stream too").isEqualTo(4);
        Path zero = write(GOOD + "catchup: { apply-threads: 0 }\n");
        assertThatThrownBy(() -> loader.load(zero)).isInstanceOf(PlanException.class)
                .hasMessageStartingWith(zero + ": catchup.apply-threads: ");
        Path unknown = write(GOOD + "catchup: { threads: 2 }\n");
        assertThatThrownBy(() -> loader.load(unknown)).hasMessageStartingWith(unknown + ": catchup.threads: unknown key");
    }

    @Test
    void passwordInUrlIsMaskedInMessages() throws IOException {
        Path file = write(GOOD.replace("jdbc:postgresql://127.0.0.1:5433/shop", "pg://h/db?password=hunter2"));
        assertThatThrownBy(() -> loader.load(file)).hasMessageNotContaining("hunter2");
    }

    @Test
    void passwordFileIsRead() throws IOException {
        Path secret = dir.resolve("target.pw");
        Files.writeString(secret, "from-file\n");
        MigrationPlan plan = loader.load(write(GOOD.replace("password: \"${TARGET_PASSWORD}\"",
                "password-file: \"" + secret + "\"")));
        assertThat(plan.target().password().reveal()).isEqualTo("from-file");
    }

    @Test
    void notYamlOrMissingFile() throws IOException {
        assertThatThrownBy(() -> loader.load(write("name: [unclosed"))).hasMessageContaining("not valid YAML");
        assertThatThrownBy(() -> loader.load(dir.resolve("nope.yml"))).hasMessageContaining("no such file");
    }

    private static final String CUTOVER = """
            cutover:
              fence: read-only
              switch: command
              command: "true"
              app-roles: [app]
              max-pause: 2s
            """;

    @Test
    void reverifyBudgetDefaultsTo100msAndZeroSkips() throws IOException {
        assertThat(loader.load(write(GOOD + CUTOVER)).cutover().reverifyBudget()).isEqualTo(Duration.ofMillis(100));
        assertThat(loader.load(write(GOOD + CUTOVER.replace("max-pause: 2s", "max-pause: 150ms"))).cutover()
                .reverifyBudget()).as("half of a short max-pause").isEqualTo(Duration.ofMillis(75));
        assertThat(loader.load(write(GOOD + CUTOVER + "  reverify-budget: 0\n")).cutover().reverifyBudget()).isZero();
        assertThat(loader.load(write(GOOD + CUTOVER + "  reverify-budget: 1s\n")).cutover().reverifyBudget())
                .isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void reverifyBudgetMustBeADurationShorterThanMaxPause() throws IOException {
        Path notADuration = write(GOOD + CUTOVER + "  reverify-budget: fast\n");
        assertThatThrownBy(() -> loader.load(notADuration)).isInstanceOf(PlanException.class)
                .hasMessage(notADuration + ": cutover.reverify-budget: 'fast' is not a duration; write e.g. 500ms, 10s, 2m or 24h");
        Path tooLong = write(GOOD + CUTOVER + "  reverify-budget: 2s\n");
        assertThatThrownBy(() -> loader.load(tooLong)).isInstanceOf(PlanException.class)
                .hasMessageStartingWith(tooLong + ": cutover.reverify-budget: 2s does not fit in max-pause (2000ms)");
    }

    @Test
    void reverifyIsBudgetByDefaultOrFull() throws IOException {
        assertThat(loader.load(write(GOOD + CUTOVER)).cutover().reverifyFull()).isFalse();
        assertThat(loader.load(write(GOOD + CUTOVER + "  reverify: budget\n")).cutover().reverifyFull()).isFalse();
        assertThat(loader.load(write(GOOD + CUTOVER + "  reverify: full\n")).cutover().reverifyFull()).isTrue();
        Path unknown = write(GOOD + CUTOVER + "  reverify: most\n");
        assertThatThrownBy(() -> loader.load(unknown)).isInstanceOf(PlanException.class)
                .hasMessage(unknown + ": cutover.reverify: 'most' is not one of [budget, full]");
        Path off = write(GOOD + CUTOVER + "  reverify: full\n  reverify-budget: 0\n");
        assertThatThrownBy(() -> loader.load(off)).isInstanceOf(PlanException.class)
                .hasMessageContaining("cutover.reverify: full re-checks every changed key, but reverify-budget: 0");
    }

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("plan-" + System.nanoTime() + ".yml");
        Files.writeString(file, yaml);
        return file;
    }
}
