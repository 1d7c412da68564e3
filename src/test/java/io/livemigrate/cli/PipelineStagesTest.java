package io.livemigrate.cli;

import io.livemigrate.testing.ChildJava;
import io.livemigrate.testing.KeyedTables;
import io.livemigrate.testing.MigrationFixture;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.livemigrate.testing.TableContents.count;
import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Jenkinsfile's stages, read from the Jenkinsfile itself and run in its order through {@code ops/pipeline.sh},
 * against real servers: a {@code migrate} build (check through verification after the cutover, with the catch-up it
 * starts kept running across verification, approval and cutover (a verification before catch-up runs finds every
 * row the application wrote since the copy missing: this test found the pipeline doing that), and the reverse stream started after the switch), then a later
 * {@code complete} or {@code revert} build. Every stage must exit 0, and rows written between stages must end on the
 * side that is primary, so the pipeline cannot drift from the commands again.
 */
class PipelineStagesTest {

    private static final Pattern STAGE = Pattern.compile(
            "stage\\('([^']+)'\\)\\s*\\{[^{}]*?(?:when \\{ expression \\{ params\\.ACTION == '(\\w+)' } }\\s*)?"
                    + "steps \\{\\s*(?:[^{}]*?)lm\\('([\\w-]+)'\\)", Pattern.DOTALL);
    private static final String ROLE = "pipeline_app";

    @TempDir
    Path dir;

    @ParameterizedTest(name = "migrate, then {0}")
    @ValueSource(strings = {"complete", "revert"})
    void theJenkinsfilesStagesRunInOrderAgainstRealServers(String later) throws Exception {
        Map<String, List<String>> stages = stagesByAction(Files.readString(Path.of("Jenkinsfile")));
        assertThat(stages.get("migrate")).as("the migrate build's stages, in order").containsExactly("check", "copy",
                "catchup", "verify", "status", "cutover", "reverse-stream", "verify-after-cutover");
        assertThat(stages.get(later)).containsExactly(later);

        MigrationFixture m = KeyedTables.fixture(dir, "postgres", "pipe" + later);
        try (Connection s = m.source()) {
            execute(s, "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + ROLE + "') THEN "
                    + "CREATE ROLE " + ROLE + "; END IF; END $$", "GRANT SELECT, INSERT, UPDATE ON acct TO " + ROLE);
        }
        Files.writeString(m.plan(), "cutover:\n  fence: read-only\n  switch: command\n  command: \"true\"\n"
                + "  app-roles: [" + ROLE + "]\n  max-pause: 10s\n  max-lag: 2s\n", StandardOpenOption.APPEND);
        int written = 0;
        try {
            for (String stage : stages.get("migrate")) {
                runStage(m, stage);
                // the application writes to the primary between stages: the source until the cutover
                try (Connection primary = stage.equals("cutover") || stages.get("migrate").indexOf(stage)
                        > stages.get("migrate").indexOf("cutover") ? m.target() : m.source()) {
                    execute(primary, "INSERT INTO acct VALUES (" + (100_000 + ++written) + ", 1, 'between stages')");
                }
            }
            for (String stage : stages.get(later)) {
                runStage(m, stage);
            }
            try (Connection primary = later.equals("revert") ? m.source() : m.target()) {
                assertThat(count(primary, "acct WHERE id > 100000")).as("every row written between stages is on the "
                        + "side that is primary after " + later).isEqualTo(written);
            }
        }
        finally {
            // A catch-up still running writes its log into dir: it must have exited before JUnit deletes dir.
            List<ProcessHandle> stopping = new ArrayList<>();
            for (String name : List.of("catchup", "catchup-reverse")) {
                Path pid = dir.resolve("state").resolve(name + ".pid");
                if (Files.exists(pid)) {
                    ProcessHandle.of(Long.parseLong(Files.readString(pid).trim())).ifPresent(stopping::add);
                }
            }
            stopping.forEach(ProcessHandle::destroy);
            for (ProcessHandle p : stopping) {
                try {
                    p.onExit().get(60, TimeUnit.SECONDS);
                }
                catch (java.util.concurrent.TimeoutException stillRunning) {
                    p.destroyForcibly();
                }
            }
        }
    }

    /** Each ACTION's stages (the {@code lm('...')} of each stage), in the Jenkinsfile's order. */
    static Map<String, List<String>> stagesByAction(String jenkinsfile) {
        Map<String, List<String>> stages = new LinkedHashMap<>();
        Matcher matcher = STAGE.matcher(jenkinsfile);
        while (matcher.find()) {
            String action = matcher.group(2) == null ? "migrate" : matcher.group(2);
            stages.computeIfAbsent(action, a -> new ArrayList<>()).add(matcher.group(3));
        }
        return stages;
    }

    private void runStage(MigrationFixture m, String stage) throws Exception {
        String launcher = ChildJava.commandLine("-Xmx256m");
        Path log = dir.resolve("stage-" + stage + ".log");
        ProcessBuilder pb = new ProcessBuilder("ops/pipeline.sh", stage).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(Map.of("PLAN", m.plan().toString(), "REPOSITORY", m.repositoryUrl(), "MAX_LAG", "2s",
                "LM", launcher, "STATE_DIR", dir.resolve("state").toString(), "CATCHUP_WAIT", "180"));
        Process p = pb.start();
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).as("stage " + stage + " ends").isTrue();
        String state = String.join("\n", listLogs(dir.resolve("state")));
        assertThat(p.exitValue()).as("stage " + stage + ":\n" + Files.readString(log) + state).isZero();
    }

    private static List<String> listLogs(Path state) throws Exception {
        List<String> logs = new ArrayList<>();
        if (Files.isDirectory(state)) {
            try (var files = Files.list(state)) {
                for (Path f : files.filter(f -> f.toString().endsWith(".log")).toList()) {
                    List<String> lines = Files.readAllLines(f);
                    logs.add("-- " + f.getFileName() + ":\n" + String.join("\n",
                            lines.subList(Math.max(0, lines.size() - 15), lines.size())));
                }
            }
        }
        return logs;
    }
}
