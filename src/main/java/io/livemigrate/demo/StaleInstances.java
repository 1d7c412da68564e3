package io.livemigrate.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Cleans up after JVMs that died without running their shutdown hooks (kill -9, a surefire fork timeout):
 * their servers keep running and their instance directories stay. Before starting a server we look for
 * instance directories whose owning JVM is gone, stop the server still using each one, and delete it.
 *
 * <p>A server process is only signalled if its command line names that very directory, so a recycled
 * pid never hits an unrelated process.
 */
final class StaleInstances {

    /** Instance directory names from EmbeddedServer.newInstanceDirectory; group 1 is the owning JVM's pid. */
    private static final Pattern INSTANCE = Pattern.compile("livemigrate-(?:postgres|mariadb)-(\\d+)-\\d+-\\d+");

    private StaleInstances() {
    }

    static void reap(Path parent) {
        List<Path> candidates;
        try (Stream<Path> children = Files.list(parent)) {
            candidates = children.filter(Files::isDirectory).toList();
        } catch (IOException e) {
            return; // nothing we can clean; starting a server does not depend on it
        }
        for (Path directory : candidates) {
            Matcher name = INSTANCE.matcher(directory.getFileName().toString());
            if (name.matches() && ProcessHandle.of(Long.parseLong(name.group(1))).isEmpty()) {
                stopServerUsing(directory);
                try {
                    EmbeddedServer.deleteRecursively(directory);
                } catch (RuntimeException e) {
                    // Another JVM may be reaping the same directory; whoever finishes, it is gone.
                }
            }
        }
    }

    /** PostgreSQL writes data/postmaster.pid, MariaDB data/HOSTNAME.pid; both start with the server pid. */
    private static void stopServerUsing(Path instanceDirectory) {
        Path data = instanceDirectory.resolve("data");
        try (Stream<Path> files = Files.list(data)) {
            for (Path pidFile : files.filter(f -> f.getFileName().toString().endsWith(".pid")).toList()) {
                serverProcess(pidFile, instanceDirectory).ifPresent(StaleInstances::terminate);
            }
        } catch (IOException e) {
            // No data directory, no server.
        }
    }

    private static Optional<ProcessHandle> serverProcess(Path pidFile, Path instanceDirectory) {
        try {
            long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
            String path = instanceDirectory.toAbsolutePath().toString();
            return ProcessHandle.of(pid).filter(p -> p.info().commandLine().orElse("").contains(path));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** SIGTERM: both servers shut down cleanly on it. SIGKILL if they take too long. */
    private static void terminate(ProcessHandle server) {
        server.destroy();
        try {
            server.onExit().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            server.destroyForcibly();
        }
    }
}
