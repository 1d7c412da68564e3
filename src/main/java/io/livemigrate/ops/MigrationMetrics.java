package io.livemigrate.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the jobs report as they work, as Micrometer meters. Jobs report to {@link #global()}, Micrometer's global
 * registry: in a plain command nothing is attached to it and reporting costs next to nothing; in {@code server}
 * mode Actuator attaches its Prometheus registry, so jobs the server runs show up at /actuator/prometheus.
 * Rates (rows/s, events/s) are Prometheus' {@code rate()} of the counters.
 */
public final class MigrationMetrics {

    private static final MigrationMetrics GLOBAL = new MigrationMetrics(Metrics.globalRegistry);

    private final MeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final AtomicLong catchupLagMillis = new AtomicLong(-1);

    public MigrationMetrics(MeterRegistry registry) {
        this.registry = registry;
        registry.gauge("livemigrate.catchup.lag.seconds", catchupLagMillis, v -> v.get() < 0 ? Double.NaN : v.get() / 1e3);
    }

    public static MigrationMetrics global() {
        return GLOBAL;
    }

    /** Copy: rows written to the target for one table. */
    public void rowsCopied(String table, long rows) {
        counter("livemigrate.copy.rows", "table", table).increment(rows);
    }

    /** Verify: rows compared in one table, and how many of them differ (missing, extra or different). */
    public void rowsVerified(String table, long rows, long differences) {
        counter("livemigrate.verify.compared", "table", table).increment(rows);
        counter("livemigrate.verify.differences", "table", table).increment(differences);
    }

    /** Catch-up: the source commit time of the last applied change compared with now. */
    public void catchupLag(Duration lag) {
        catchupLagMillis.set(lag.toMillis());
    }

    /** Catch-up: change events applied to the target. */
    public void changesApplied(long events) {
        counter("livemigrate.catchup.events", null, null).increment(events);
    }

    /** Cutover: how long application writes were fenced. */
    public void cutoverPause(Duration pause) {
        cutoverPauseTimer().record(pause);
    }

    /** Registers the pause timer ahead of the pause, which should not carry its first-use cost. */
    public void prepareCutover() {
        cutoverPauseTimer();
    }

    private Timer cutoverPauseTimer() {
        return Timer.builder("livemigrate.cutover.pause").register(registry);
    }

    private Counter counter(String name, String tag, String value) {
        return counters.computeIfAbsent(name + '|' + value, k -> tag == null ? registry.counter(name)
                : registry.counter(name, tag, value));
    }
}
