package io.livemigrate.rehearse;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Whether the running rehearsal execution was asked to stop, for every part of it that waits: the followed log's
 * polls, the throttle, the wait for catch-up, a statement running on either side. Once requested, sleepers wake at
 * once and registered cancellers run (cancelling the statements in flight), so how long a stop takes never depends on
 * a poll interval, a paused throttle, catch-up's progress or a query timeout: each partition thread ends its current
 * statement within the time a cancel takes, commits its chunk and ends.
 *
 * <p>{@link RehearsalStopWatcher} requests it when the job repository shows the execution stopped ({@code livemigrate
 * stop --job rehearse}); {@code rehearse --follow} also requests it on SIGTERM/SIGINT. One per command (context), and
 * never taken back: the report run that follows a stopped follow in the same process runs with the stop still
 * requested, so its partitions hand out nothing, read no log, and only the report step does work.
 */
public final class RehearsalStop {

    private final Object lock = new Object();
    private final List<Runnable> cancellers = new CopyOnWriteArrayList<>();
    private volatile boolean requested;

    /** Asks everything that waits to stop waiting; runs the registered cancellers (once). */
    public void request() {
        synchronized (lock) {
            if (requested) {
                return;
            }
            requested = true;
            lock.notifyAll();
        }
        for (Runnable canceller : cancellers) {
            try {
                canceller.run();
            }
            catch (RuntimeException ignored) {
                // a statement that cannot be cancelled still ends by its own timeout; the others must not wait for it
            }
        }
    }

    boolean requested() {
        return requested;
    }

    /** Sleeps for {@code millis}, or less when a stop is requested meanwhile; whether a stop is requested. */
    boolean sleep(long millis) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (lock) {
            while (!requested) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return requested;
        }
    }

    /**
     * Runs {@code canceller} when a stop is requested (at once, if it already is) until the returned handle is closed.
     * It runs on the requesting thread and must not block for long: cancel a statement, do not wait for it.
     */
    Registration onRequest(Runnable canceller) {
        cancellers.add(canceller);
        if (requested) {
            canceller.run();
        }
        return () -> cancellers.remove(canceller);
    }

    /** Ends a canceller's registration. */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }
}
