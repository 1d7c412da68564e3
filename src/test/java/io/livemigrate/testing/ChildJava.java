package io.livemigrate.testing;

import io.livemigrate.cli.Main;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * The command line of a livemigrate child JVM in tests (crash tests, servers, workers, catch-ups a test stops):
 * this JVM's Java and class path, {@link Main}, and the start-up options below.
 *
 * <p>A suite starts many such JVMs, several at once, on a machine of two cores shared with the database servers;
 * most of a child's CPU goes into its start-up. They run as {@code bin/livemigrate} runs commands (see that
 * script): C1 alone (C2 compiling Spring's start-up code costs a short-lived child more CPU than it saves), the
 * serial collector (a child's heap is at most 512 MB; the default collector's concurrent threads compete with the
 * servers for the same cores), and a class-data-sharing archive, which the JVM maps instead of loading and
 * verifying the same classes again. Java 17 archives classes from jars only, so the class path's directories
 * ({@code target/classes}, {@code target/test-classes}) are given to children as jars of the same content, made
 * once per test JVM; one child {@code server} started and stopped writes the archive as it exits. None of this
 * changes what a command does; where the jars or the archive cannot be made, children run without them.
 */
public final class ChildJava {

    /** The options every child JVM gets, before the heap option of its caller. */
    public static final List<String> START_UP_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    /** The archive's messages (e.g. an archive that does not match) would end up in the child's output. */
    private static final List<String> QUIET_ARCHIVE = List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off");

    private static List<String> sharing;

    private ChildJava() {
    }

    /** {@code java <options> <heap> -cp <class path> io.livemigrate.cli.Main <args>}, e.g. heap {@code -Xmx256m}. */
    public static List<String> command(String heap, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java());
        cmd.addAll(START_UP_OPTIONS);
        cmd.addAll(sharing());
        cmd.add(heap);
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** {@link #command} without arguments as one string, for a script that appends its own (no spaces in paths). */
    public static String commandLine(String heap) {
        return String.join(" ", command(heap));
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** {@code -cp <class path>}, preceded by the archive's options once it exists; made on first use. */
    private static synchronized List<String> sharing() {
        if (sharing == null) {
            String classPath = System.getProperty("java.class.path");
            List<String> plain = List.of("-cp", classPath);
            try {
                Path dir = Files.createTempDirectory("livemigrate-child-java");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteQuietly(dir)));
                String jarred = jarDirectories(classPath, dir.resolve("classes"));
                Path archive = dir.resolve("child.jsa");
                sharing = writeArchive(jarred, archive, dir)
                        ? withArchive(archive, jarred) : List.of("-cp", jarred);
            }
            catch (IOException | RuntimeException e) {
                System.err.println("child JVMs run without a class-data-sharing archive: " + e);
                sharing = plain;
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                sharing = plain;
            }
        }
        return sharing;
    }

    private static List<String> withArchive(Path archive, String classPath) {
        List<String> options = new ArrayList<>(QUIET_ARCHIVE);
        options.add("-XX:SharedArchiveFile=" + archive);
        options.addAll(List.of("-cp", classPath));
        return options;
    }

    /** The class path with each directory replaced by a jar of its files, in the same order. */
    private static String jarDirectories(String classPath, Path jars) throws IOException {
        Files.createDirectories(jars);
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String entry : classPath.split(java.io.File.pathSeparator)) {
            Path path = Path.of(entry);
            if (Files.isDirectory(path)) {
                Path jar = jars.resolve((n++) + "-" + path.getFileName() + ".jar");
                jar(path, jar);
                entries.add(jar.toString());
            }
            else {
                entries.add(entry);
            }
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    private static void jar(Path directory, Path jar) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted().toList()) {
                String name = directory.relativize(file).toString().replace(java.io.File.separatorChar, '/');
                if (name.isEmpty()) {
                    continue;
                }
                if (Files.isDirectory(file)) {
                    out.putNextEntry(new JarEntry(name + "/"));
                }
                else {
                    out.putNextEntry(new JarEntry(name));
                    Files.copy(file, out);
                }
                out.closeEntry();
            }
        }
    }

    /**
     * Starts a child {@code server} (Spring Boot, Spring Batch, the JDBC pools: what the children load) on an H2
     * repository, waits until it is healthy and stops it; the JVM writes the classes it loaded to {@code archive} as
     * it exits. False if it did not.
     */
    private static boolean writeArchive(String classPath, Path archive, Path dir) throws IOException,
            InterruptedException {
        Path plan = dir.resolve("warm-up.yml");
        Files.writeString(plan, "name: warm-up\n"
                + "source: { url: \"jdbc:postgresql://127.0.0.1:1/none\", user: none, password: \"none\" }\n"
                + "target: { url: \"jdbc:postgresql://127.0.0.1:1/none\", user: none, password: \"none\" }\n"
                + "tables: { include: [\"public.*\"] }\n");
        int port = ExternalProcess.freePort();
        List<String> cmd = new ArrayList<>(List.of(java()));
        cmd.addAll(START_UP_OPTIONS);
        cmd.addAll(QUIET_ARCHIVE);
        cmd.addAll(List.of("-XX:ArchiveClassesAtExit=" + archive, "-Xmx384m", "-cp", classPath,
                Main.class.getName(), "server", "--plan", plan.toString(), "--repository",
                "jdbc:h2:file:" + dir.resolve("warm-up-repository"), "--port", String.valueOf(port)));
        Path log = dir.resolve("warm-up.log");
        Process server = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            HttpClient http = HttpClient.newHttpClient();
            while (server.isAlive() && System.nanoTime() < deadline && !healthy(http, port)) {
                Thread.sleep(200);
            }
        }
        finally {
            server.destroy(); // SIGTERM: the JVM exits normally and writes the archive
        }
        if (!server.waitFor(120, TimeUnit.SECONDS)) {
            server.destroyForcibly().waitFor(); // killed while writing it, perhaps: not used
            return false;
        }
        return Files.isRegularFile(archive) && Files.size(archive) > 0;
    }

    private static boolean healthy(HttpClient http, int port) throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body().contains("UP");
        }
        catch (IOException notYet) {
            return false;
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
        catch (IOException | UncheckedIOException e) {
            // a temporary directory: the system cleans it eventually
        }
    }
}
