package io.livemigrate.catchup;

import org.springframework.context.SmartLifecycle;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * How one catch-up run is told when to end: the command's options ({@code --until-caught-up}, {@code --max-lag}),
 * {@link #requestStop} (SIGTERM or SIGINT to the command's JVM), and a graceful stop on context shutdown: closing the
 * context first asks the running job to finish its target transaction and stop, and waits for it, before any pool is
 * closed.
 */
public class CatchupControl implements SmartLifecycle {

    private volatile boolean untilCaughtUp;
    private volatile Duration maxLag = Duration.ofSeconds(1);
    private volatile boolean stopRequested;
    private volatile boolean running;
    private volatile boolean caughtUp;
    private final CountDownLatch jobEnded = new CountDownLatch(1);
    private volatile boolean jobStarted;

    public void untilCaughtUp(boolean untilCaughtUp, Duration maxLag) {
        this.untilCaughtUp = untilCaughtUp;
        this.maxLag = maxLag;
    }

    public boolean untilCaughtUp() {
        return untilCaughtUp;
    }

    public Duration maxLag() {
        return maxLag;
    }

    public void requestStop() {
        stopRequested = true;
    }

    public boolean stopRequested() {
        return stopRequested;
    }

    void caughtUp() {
        caughtUp = true;
    }

    /** The run ended because lag fell under --max-lag. */
    public boolean isCaughtUp() {
        return caughtUp;
    }

    public void jobStarted() {
        jobStarted = true;
    }

    public void jobEnded() {
        jobEnded.countDown();
    }

    @Override
    public void start() {
        running = true;
    }

    /** Context shutdown (the JVM ending some other way, or an embedding caller closing it): stop and wait. */
    @Override
    public void stop() {
        running = false;
        if (jobStarted && jobEnded.getCount() > 0) {
            requestStop();
            try {
                jobEnded.await(60, TimeUnit.SECONDS);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stopped first, before everything else in the context. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE;
    }
}
