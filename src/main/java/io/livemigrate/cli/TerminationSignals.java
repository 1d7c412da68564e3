package io.livemigrate.cli;

import sun.misc.Signal;

import java.util.concurrent.atomic.AtomicReference;

/**
 * SIGTERM and SIGINT for commands that can stop gracefully. While such a command runs, the first signal asks its job
 * to stop (as {@code livemigrate stop} does) and the command then ends on its own, with its job STOPPED, its position
 * recorded and its own exit code; a second signal exits at once. Otherwise a signal ends the JVM as it always does.
 *
 * <p>Why not a shutdown hook: the JVM runs its hooks concurrently, and the default job repository (an H2 file shared
 * with other commands through {@code AUTO_SERVER}, which H2 allows only with its own close-on-exit hook) closes itself
 * in one of them while the job still writes how it stopped.
 */
final class TerminationSignals {

    private static final int SIGTERM_EXIT = 128 + 15;
    private static final AtomicReference<Runnable> graceful = new AtomicReference<>();
    private static volatile boolean installed;
    private static volatile boolean stopRequested;

    private TerminationSignals() {
    }

    /** Called once by {@code main}: commands run in-process (tests, the server's schedules) keep the JVM's handling. */
    static void install() {
        if (installed) {
            return;
        }
        installed = true;
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), TerminationSignals::received);
            }
            catch (IllegalArgumentException unavailable) {
                // The JVM was started with -Xrs or the platform lacks this signal: keep the default.
            }
        }
    }

    /**
     * Until the returned handle is closed, a signal calls {@code stop} instead of ending the JVM. A no-op when
     * {@link #install} did not run.
     */
    static AutoCloseable stopWith(Runnable stop) {
        graceful.set(stop);
        return () -> graceful.compareAndSet(stop, null);
    }

    private static void received(Signal signal) {
        Runnable stop = graceful.get();
        if (stop == null || stopRequested) {
            // Not stoppable now, or a second signal: end as the JVM would, running its shutdown hooks.
            new Thread(() -> System.exit(SIGTERM_EXIT), "signal-exit").start();
            return;
        }
        stopRequested = true;
        System.err.println("livemigrate: SIG" + signal.getName() + " received: finishing the current transaction, then"
                + " stopping (send it again to exit at once)");
        stop.run();
    }
}
