package io.livemigrate.testing;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application writing on one connection in a daemon thread while a test copies or catches up: it runs one
 * {@link Operation} after another (auto-commit off, a commit after each) until closed, and counts them, so a test
 * can wait until the application has done some work between two of its own steps. An operation that throws ends
 * the writer; the next {@link #awaitOperations} then fails the test.
 *
 * <pre>{@code
 * try (BackgroundWriter w = BackgroundWriter.start("writer", m::source, c -> execute(c, "UPDATE ..."))) {
 *     w.awaitOperations(20);
 *     m.run("copy");
 *     w.awaitOperations(w.operations() + 50);
 * }
 * }</pre>
 */
public final class BackgroundWriter implements AutoCloseable {

    /** One unit of the application's work on its connection; the writer commits after it. */
    @FunctionalInterface
    public interface Operation {
        void run(Connection c) throws SQLException;
    }

    /** Opens the application's connection, e.g. {@code m::source}. */
    @FunctionalInterface
    public interface Connector {
        Connection open() throws SQLException;
    }

    private final AtomicLong operations = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    private BackgroundWriter(String name, Connector connector, Operation operation) {
        thread = new Thread(() -> {
            try (Connection c = connector.open()) {
                c.setAutoCommit(false);
                while (running.get()) {
                    operation.run(c);
                    c.commit();
                    operations.incrementAndGet();
                }
            }
            catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, name);
        thread.setDaemon(true);
    }

    /** Starts writing at once. */
    public static BackgroundWriter start(String name, Connector connector, Operation operation) {
        BackgroundWriter writer = new BackgroundWriter(name, connector, operation);
        writer.thread.start();
        return writer;
    }

    /** Operations completed so far. */
    public long operations() {
        return operations.get();
    }

    /** Waits until {@code n} operations have completed; fails if the writer has ended (an operation threw). */
    public void awaitOperations(long n) throws InterruptedException {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(120))
                .pollInterval(java.time.Duration.ofMillis(10))
                .until(() -> operations.get() >= n || !thread.isAlive());
        assertThat(thread.isAlive()).as("the writer failed").isTrue();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(10_000);
    }
}
