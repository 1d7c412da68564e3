package io.livemigrate.ops;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.TaskScheduler;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.function.BooleanSupplier;

/**
 * Paces a running job by the plan's throttle setting, which {@code livemigrate throttle} changes in the job
 * repository: a poller reads it once a second (and evaluates the lag rule on the source), so a change reaches every
 * running process within about a second, whichever machine it runs on. Workers call {@link #awaitGo()} before a
 * unit of work and {@link #account(long)} after it; both only block, they never fail the job.
 */
public final class Throttle implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Throttle.class);
    static final long POLL_MILLIS = 1000;
    private static final long WAIT_STEP_MILLIS = 100;

    private final String plan;
    private final ThrottleStore store;
    private final DataSource source;
    private final TaskScheduler scheduler;
    private ScheduledFuture<?> polling;
    private volatile ThrottleSettings settings = ThrottleSettings.UNLIMITED;
    private volatile long changeNumber;
    private volatile boolean lagging;
    private final RateLimiter limiter = new RateLimiter();
    private volatile long ceiling;

    /**
     * @param source    where the lag rule's query runs
     * @param scheduler runs the poll; it outlives this throttle, which stops its polling on {@link #close()}
     */
    public Throttle(String plan, ThrottleStore store, DataSource source, TaskScheduler scheduler) {
        this.plan = plan;
        this.store = store;
        this.source = source;
        this.scheduler = scheduler;
    }

    /** Reads the setting once (so the first unit already obeys it), then polls. */
    public Throttle start() {
        poll();
        polling = scheduler.scheduleWithFixedDelay(this::poll, Instant.now().plusMillis(POLL_MILLIS),
                Duration.ofMillis(POLL_MILLIS));
        return this;
    }

    /**
     * A limit this process never exceeds whatever the plan's setting says (0: none), e.g. rehearse's {@code --rate}:
     * the setting can lower it at runtime, never raise it.
     */
    public Throttle ceiling(long unitsPerSecond) {
        this.ceiling = Math.max(0, unitsPerSecond);
        limiter.reset();
        return this;
    }

    private long limit() {
        long set = settings.rowsPerSecond();
        long max = ceiling;
        return max > 0 && (set <= 0 || set > max) ? max : set;
    }

    public ThrottleSettings settings() {
        return settings;
    }

    /** Whether {@link #awaitGo()} would block now: paused by hand or by the lag rule. */
    public boolean holding() {
        return settings.paused() || lagging;
    }

    /** Blocks while the copy is paused by hand or by the lag rule. */
    public void awaitGo() throws InterruptedException {
        awaitGo(() -> false);
    }

    /**
     * As {@link #awaitGo()}, giving up within a tenth of a second once {@code giveUp} says so (a job asked
     * to stop must not wait for a pause to end); whether it may go on.
     */
    public boolean awaitGo(BooleanSupplier giveUp) throws InterruptedException {
        boolean announced = false;
        while (settings.paused() || lagging) {
            if (giveUp.getAsBoolean()) {
                return false;
            }
            if (!announced) {
                log.debug("{}: waiting, throttle {}", Thread.currentThread().getName(), settings.describe());
                announced = true;
            }
            Thread.sleep(WAIT_STEP_MILLIS);
        }
        return true;
    }

    /** Blocks long enough that the rows done so far, across all threads, stay within the rows/s limit. */
    public void account(long rows) throws InterruptedException {
        limiter.account(rows, this::limit, () -> false);
    }

    /** As {@link #account(long)}, giving up the wait once {@code giveUp} says so; whether it waited its time out. */
    public boolean account(long rows, BooleanSupplier giveUp) throws InterruptedException {
        return limiter.account(rows, this::limit, giveUp);
    }

    private void poll() {
        try {
            store.current(plan).ifPresent(change -> {
                if (change.number() != changeNumber) {
                    changeNumber = change.number();
                    settings = change.settings();
                    limiter.reset();
                    log.info("throttle for plan '{}' is now {} (change {} by {} at {})", plan,
                            change.settings().describe(), change.number(), change.by(), change.at());
                }
            });
            lagging = overLag(settings);
        }
        catch (SQLException | RuntimeException e) {
            // Keep the last known setting: a repository hiccup must not speed up a throttled copy.
            log.warn("throttle: cannot read the setting of plan '{}' (keeping {}): {}", plan, settings.describe(),
                    e.getMessage());
        }
    }

    private boolean overLag(ThrottleSettings s) {
        if (s.lagQuery() == null) {
            return false;
        }
        try (Connection c = source.getConnection(); Statement st = c.createStatement()) {
            st.setQueryTimeout(5);
            try (ResultSet rs = st.executeQuery(s.lagQuery())) {
                double lag = rs.next() ? rs.getDouble(1) : 0;
                boolean over = lag > s.maxLag();
                if (over != lagging) {
                    log.info("throttle: lag {} {} {}: copy {}", lag, over ? ">" : "<=", s.maxLag(),
                            over ? "paused" : "resumes");
                }
                return over;
            }
        }
        catch (SQLException e) {
            // An unanswerable lag rule pauses, as gh-ost does: copying blind could flood a lagging replica.
            if (!lagging) {
                log.warn("throttle: the lag query failed, copy paused until it answers: {}", e.getMessage());
            }
            return true;
        }
    }

    /** Stops polling; a poll under way finishes (it only reads), no other starts. */
    @Override
    public void close() {
        if (polling != null) {
            polling.cancel(false);
        }
    }

    /** A shared pace: each unit of work moves the next free instant forward by rows / limit seconds. */
    static final class RateLimiter {
        private long nextFreeNanos = System.nanoTime();
        private long generation;

        synchronized void reset() {
            nextFreeNanos = System.nanoTime();
            generation++;
        }

        boolean account(long rows, java.util.function.LongSupplier limit, BooleanSupplier giveUp)
                throws InterruptedException {
            long perSecond = limit.getAsLong();
            if (perSecond <= 0 || rows <= 0) {
                return true;
            }
            long until;
            long seenGeneration;
            synchronized (this) {
                nextFreeNanos = Math.max(nextFreeNanos, System.nanoTime()) + (long) (rows * 1e9 / perSecond);
                until = nextFreeNanos;
                seenGeneration = generation;
            }
            // Sleep in short steps, so a new setting (raised limit, unlimited) releases the wait at once.
            while (System.nanoTime() < until) {
                synchronized (this) {
                    if (generation != seenGeneration) {
                        return true;
                    }
                }
                if (giveUp.getAsBoolean()) {
                    return false;
                }
                Thread.sleep(Math.min(WAIT_STEP_MILLIS, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
            }
            return true;
        }
    }
}
