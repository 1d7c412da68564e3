package io.livemigrate.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code bin/livemigrate} against the packaged jar (an integration test: it runs after {@code package}). The jar is
 * copied into a temporary directory, so the launcher's extracted layout and archives are made there, from scratch.
 */
class LauncherIT {

    private static final Path LAUNCHER = Path.of("bin", "livemigrate").toAbsolutePath();
    private static final Path PACKAGED = Path.of("target", "livemigrate.jar").toAbsolutePath();

    @TempDir
    Path dir;

    private Path jar;
    /** Where the launcher keeps the extracted layout of each build of the jar, one directory per build. */
    private Path apps;

    @BeforeEach
    void copyJar() throws IOException {
        jar = dir.resolve("livemigrate.jar");
        Files.copy(PACKAGED, jar);
        apps = dir.resolve("livemigrate.app");
    }

    @Test
    void theFirstRunOfACommandWritesItsArchiveAndLaterRunsLoadClassesFromIt() throws Exception {
        Path firstLog = dir.resolve("first-classes.log");
        Run first = run(Map.of("JAVA_OPTS", "-Xlog:class+load:file=" + firstLog), "--version");
        assertThat(first.exit).as(first.output).isZero();
        assertThat(first.output).contains("livemigrate 0.1.0");
        // (picocli's classes are Java 5 class files, which CDS does not archive: they load from the jar each time.)
        assertThat(Files.readString(firstLog)).contains("io.livemigrate.cli.Main source: file:")
                .doesNotContain("io.livemigrate.cli.Main source: shared objects file");
        assertThat(archives()).hasSize(1).allMatch(p -> p.getFileName().toString().startsWith("help-"));
        FileTime written = Files.getLastModifiedTime(archives().get(0));

        Path secondLog = dir.resolve("second-classes.log");
        Run second = run(Map.of("JAVA_OPTS", "-Xlog:class+load:file=" + secondLog), "--version");
        assertThat(second.exit).as(second.output).isZero();
        assertThat(second.output).isEqualTo(first.output);
        assertThat(Files.readString(secondLog)).contains("io.livemigrate.cli.Main source: shared objects file");
        assertThat(Files.getLastModifiedTime(archives().get(0))).isEqualTo(written);
        assertThat(Files.list(layout()).map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".partial"));
    }

    @Test
    void exitCodesAndMessagesPassThroughWithAndWithoutAnArchive() throws Exception {
        for (int i = 0; i < 2; i++) {
            Run r = run(Map.of(), "check", "--plan", dir.resolve("no-such-plan.yml").toString());
            assertThat(r.exit).as(r.output).isEqualTo(ExitCodes.BAD_INPUT);
            assertThat(r.output).contains("no-such-plan.yml");
        }
        assertThat(archives()).singleElement().matches(p -> p.getFileName().toString().startsWith("check-"));
    }

    @Test
    void aRebuiltJarIsExtractedAgainAndTheLayoutNoProcessUsesIsRemoved() throws Exception {
        assertThat(run(Map.of(), "--version").exit).isZero();
        assertThat(archives()).hasSize(1);
        Path before = layout();
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60)));

        Run r = run(Map.of(), "status", "--help");
        assertThat(r.exit).as(r.output).isZero();
        assertThat(layout()).isNotEqualTo(before);
        assertThat(before).doesNotExist();
        assertThat(archives()).singleElement().matches(p -> p.getFileName().toString().startsWith("status-"));
    }

    @Test
    void aRebuildLeavesTheLayoutOfACommandStillRunning() throws Exception {
        Process server = startServer(dir.resolve("old-server.log"));
        Path running = layout();
        try {
            Files.setLastModifiedTime(jar, FileTime.from(Instant.now().plusSeconds(60)));
            assertThat(run(Map.of(), "--version").exit).isZero();
            try (Stream<Path> dirs = Files.list(apps)) {
                assertThat(dirs.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith(".")))
                        .hasSize(2).contains(running);
            }
            assertThat(server.isAlive()).isTrue();
        }
        finally {
            server.destroy();
            assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void sigtermReachesTheJvmOfAFirstRunWhichStopsAndStillWritesItsArchive() throws Exception {
        Process launcher = startServer(dir.resolve("server.log"));
        List<ProcessHandle> jvms = launcher.descendants().toList();
        assertThat(jvms).as("the launcher's JVM").isNotEmpty();

        launcher.destroy(); // SIGTERM to the launcher only, as a service manager or `kill <pid>` sends it
        assertThat(launcher.waitFor(60, TimeUnit.SECONDS)).as("launcher exited").isTrue();
        assertThat(jvms).noneMatch(ProcessHandle::isAlive);
        assertThat(archives()).singleElement().matches(p -> p.getFileName().toString().startsWith("server-"));
    }

    @Test
    void aFlightRecordingFromTheStartRunsWithoutTheArchive() throws Exception {
        assertThat(run(Map.of(), "--version").exit).isZero();
        assertThat(archives()).hasSize(1);
        // OpenJDK 17.0.15 crashed (SIGSEGV) starting catchup with -XX:StartFlightRecording and its archive mapped.
        Path classes = dir.resolve("jfr-classes.log");
        Run r = run(Map.of("JAVA_OPTS", "-XX:StartFlightRecording=filename=" + dir.resolve("r.jfr")
                + " -Xlog:class+load:file=" + classes), "--version");
        assertThat(r.exit).as(r.output).isZero();
        assertThat(r.output).contains("livemigrate 0.1.0");
        assertThat(Files.readString(classes)).contains("io.livemigrate.cli.Main source: jar:")
                .doesNotContain("shared objects file (top)");
        assertThat(dir.resolve("r.jfr")).exists();
    }

    @Test
    void commandsThatWaitOnTheServersRunWithC1AloneAndServerKeepsC2() throws Exception {
        assertThat(tieredStopAtLevel(Map.of(), "status", "--help")).isEqualTo(1);
        assertThat(tieredStopAtLevel(Map.of(), "catchup", "--help")).isEqualTo(1);
        assertThat(tieredStopAtLevel(Map.of(), "copy", "--help")).isEqualTo(4);
        assertThat(tieredStopAtLevel(Map.of(), "server", "--help")).isEqualTo(4);
    }

    @Test
    void copyAndWorkerOfAPostgresPlanRunWithC1AloneAndOfAMySqlPlanKeepC2() throws Exception {
        Path postgres = plan("pg", "jdbc:postgresql://127.0.0.1:5432/a", "jdbc:postgresql://127.0.0.1:5433/b");
        Path mysql = plan("my", "jdbc:mysql://127.0.0.1:3306/a", "jdbc:mariadb://127.0.0.1:3307/b");
        assertThat(tieredStopAtLevel(Map.of(), "copy", "--plan", postgres.toString(), "--help")).isEqualTo(1);
        assertThat(tieredStopAtLevel(Map.of(), "copy", "--plan=" + postgres, "--help")).isEqualTo(1);
        assertThat(tieredStopAtLevel(Map.of(), "worker", "--plan", postgres.toString(), "--help")).isEqualTo(1);
        assertThat(tieredStopAtLevel(Map.of(), "copy", "--plan", mysql.toString(), "--help")).isEqualTo(4);
        assertThat(tieredStopAtLevel(Map.of(), "worker", "--plan", mysql.toString(), "--help")).isEqualTo(4);
        // a plan the launcher cannot read keeps C2 (the command itself then says what is wrong)
        assertThat(tieredStopAtLevel(Map.of(), "copy", "--plan", dir.resolve("missing.yml").toString(), "--help"))
                .isEqualTo(4);
        assertThat(tieredStopAtLevel(Map.of("LIVEMIGRATE_JIT", "full"), "copy", "--plan", postgres.toString(),
                "--help")).isEqualTo(4);
    }

    @Test
    void theJitSettingsChooseForEveryCommand() throws Exception {
        assertThat(tieredStopAtLevel(Map.of("LIVEMIGRATE_JIT", "full"), "catchup", "--help")).isEqualTo(4);
        assertThat(tieredStopAtLevel(Map.of("LIVEMIGRATE_JIT", "c1", "LIVEMIGRATE_CDS", "off"), "copy", "--help"))
                .isEqualTo(1);
        // the operator's own JIT flag comes after the launcher's and wins
        assertThat(tieredStopAtLevel(Map.of("JAVA_OPTS", "-XX:TieredStopAtLevel=4"), "catchup", "--help"))
                .isEqualTo(4);

        Run bad = run(Map.of("LIVEMIGRATE_JIT", "fast"), "status", "--help");
        assertThat(bad.exit).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(bad.output.strip()).isEqualTo(
                "livemigrate: LIVEMIGRATE_JIT is 'fast'; set it to auto, c1 or full, or unset it");
    }

    private Path plan(String name, String sourceUrl, String targetUrl) throws IOException {
        return Files.writeString(dir.resolve(name + ".yml"), "name: " + name + "\nsource: { url: \"" + sourceUrl
                + "\", user: u }\ntarget: { url: \"" + targetUrl + "\", user: u }\ntables: { include: [\"a.*\"] }\n");
    }

    /** The JVM's TieredStopAtLevel for a run (1: C1 only; 4: C1 then C2), as the JVM prints its final flags. */
    private int tieredStopAtLevel(Map<String, String> env, String... args) throws Exception {
        Map<String, String> withFlags = new HashMap<>(env);
        withFlags.merge("JAVA_OPTS", "-XX:+PrintFlagsFinal", (own, print) -> own + " " + print);
        Run r = run(withFlags, args);
        assertThat(r.exit).as(r.output).isZero();
        Matcher m = Pattern.compile("intx TieredStopAtLevel\\s+= (\\d)").matcher(r.output);
        assertThat(m.find()).as(r.output).isTrue();
        return Integer.parseInt(m.group(1));
    }

    @Test
    void aMissingJarIsOneLineAndExitTwo() throws Exception {
        Files.delete(jar);
        Run r = run(Map.of(), "--version");
        assertThat(r.exit).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.output).contains(jar.toString()).contains("does not exist").contains("mvnw");
    }

    /**
     * {@code server} through the launcher, returned once it serves: it needs no database to start (the status page
     * reads the H2 job repository), so it stands for any long-running command.
     */
    private Process startServer(Path log) throws Exception {
        Path plan = dir.resolve("plan.yml");
        Files.writeString(plan, """
                name: launcher
                source: { url: "jdbc:postgresql://127.0.0.1:1/none", user: nobody }
                target: { url: "jdbc:postgresql://127.0.0.1:1/none", user: nobody }
                tables: { include: ["public.*"] }
                """);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process launcher = builder(Map.of(), "server", "--plan", plan.toString(), "--port", String.valueOf(port))
                .start();
        // Its output goes to the log line by line; the wait ends on the line that says it serves (or its exit).
        CompletableFuture<String> serving = new CompletableFuture<>();
        Thread copier = new Thread(() -> {
            try (BufferedReader out = launcher.inputReader(); BufferedWriter file = Files.newBufferedWriter(log)) {
                String line;
                while ((line = out.readLine()) != null) {
                    file.write(line);
                    file.newLine();
                    file.flush();
                    if (line.contains("status page")) {
                        serving.complete(line);
                    }
                }
                serving.complete("(exited before serving)");
            }
            catch (IOException e) {
                serving.completeExceptionally(e);
            }
        }, "server-output");
        copier.setDaemon(true);
        copier.start();
        assertThat(serving.get(90, TimeUnit.SECONDS)).as(log.toString())
                .contains("listening on http://127.0.0.1:" + port + "/").contains("status page /");
        return launcher;
    }

    /** The one extracted layout there is (hidden directories are extractions in progress). */
    private Path layout() throws IOException {
        try (Stream<Path> dirs = Files.list(apps)) {
            List<Path> layouts = dirs.filter(Files::isDirectory)
                    .filter(p -> !p.getFileName().toString().startsWith(".")).toList();
            assertThat(layouts).as("extracted layouts").hasSize(1);
            return layouts.get(0);
        }
    }

    private List<Path> archives() throws IOException {
        try (Stream<Path> files = Files.list(layout())) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jsa")).toList();
        }
    }

    private ProcessBuilder builder(Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of(LAUNCHER.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("LIVEMIGRATE_JAR", jar.toString());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("JAVA_OPTS");
        pb.environment().remove("LIVEMIGRATE_JIT");
        pb.environment().remove("LIVEMIGRATE_CDS");
        pb.environment().putAll(env);
        return pb;
    }

    private Run run(Map<String, String> env, String... args) throws Exception {
        Path out = Files.createTempFile(dir, "run", ".log");
        Process p = builder(env, args).redirectOutput(out.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("launcher finished").isTrue();
        return new Run(p.exitValue(), Files.readString(out));
    }

    private record Run(int exit, String output) {
    }
}
