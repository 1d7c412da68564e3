package io.livemigrate.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A server binary from the machine's packages (PgBouncer, HAProxy) run by a test on a free port, stopped on close.
 * Tests that need one call {@link #requireBinary} first, which skips them with a message where it is missing.
 */
public abstract class ExternalProcess implements AutoCloseable {

    protected final Path dir;
    protected final int port;
    private Process process;

    protected ExternalProcess(Path dir) throws IOException {
        this.dir = dir;
        this.port = freePort();
        Files.createDirectories(dir);
    }

    /** Skips the calling test (JUnit assumption) when {@code binary} is not installed. */
    public static void requireBinary(String binary) {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of(binary)),
                binary + " is not installed (apt-get install it; .ci/run does): skipping");
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    protected abstract List<String> command() throws IOException;

    protected void start() throws IOException, InterruptedException {
        process = new ProcessBuilder(command()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("process.log").toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            }
            catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IOException(getClass().getSimpleName() + " exited: " + Files.readString(dir.resolve("process.log")));
                }
                Thread.sleep(50);
            }
        }
        throw new IOException(getClass().getSimpleName() + " did not listen on " + port);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
