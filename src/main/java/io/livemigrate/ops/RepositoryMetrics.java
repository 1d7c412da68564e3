package io.livemigrate.ops;

import io.livemigrate.repository.MigrationHistory;
import io.livemigrate.repository.MigrationStatus;
import io.livemigrate.repository.RepositoryLocation;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Gauges of what the job repository records for the plan, refreshed every few seconds: the progress of jobs run
 * anywhere (Jenkins, a shell, another server), not only those this server runs. Checkpointed values, so they move
 * a chunk at a time; the latest rehearsal's results ({@link RehearsalMetrics}). Also keeps the latest
 * {@link MigrationStatus} for the status page.
 */
public final class RepositoryMetrics implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RepositoryMetrics.class);

    private final String plan;
    private final RepositoryLocation location;
    private final ThrottleStore throttle;
    private final MultiGauge rowsCopied;
    private final MultiGauge partitions;
    private final MultiGauge verified;
    private final RehearsalMetrics rehearsal;
    private final ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "repository-metrics");
        t.setDaemon(true);
        return t;
    });
    private volatile MigrationStatus status;
    private volatile ThrottleSettings throttleSettings = ThrottleSettings.UNLIMITED;
    private final LagHistory lagHistory = new LagHistory();

    public RepositoryMetrics(String plan, RepositoryLocation location, ThrottleStore throttle, MeterRegistry registry) {
        this.plan = plan;
        this.location = location;
        this.throttle = throttle;
        this.status = MigrationStatus.notStarted(plan);
        this.rowsCopied = MultiGauge.builder("livemigrate.table.rows.copied")
                .description("Rows copied per table, as the copy's partitions last checkpointed").register(registry);
        this.partitions = MultiGauge.builder("livemigrate.table.partitions")
                .description("Copy partitions per table by state").register(registry);
        this.verified = MultiGauge.builder("livemigrate.verify.rows")
                .description("Rows per table and result in the last completed verification").register(registry);
        this.rehearsal = new RehearsalMetrics(registry);
        Gauge.builder("livemigrate.catchup.recorded.lag.seconds", this, m -> lag(m.status))
                .description("Catch-up lag its step last recorded").register(registry);
        Gauge.builder("livemigrate.throttle.rows.per.second", this, m -> m.throttleSettings.rowsPerSecond())
                .description("The copy's rows/s limit (0: unlimited)").register(registry);
        Gauge.builder("livemigrate.throttle.paused", this, m -> m.throttleSettings.paused() ? 1 : 0)
                .description("1 while the copy is paused by hand").register(registry);
    }

    public RepositoryMetrics start() {
        refresher.scheduleWithFixedDelay(this::refresh, 0, 5, TimeUnit.SECONDS);
        return this;
    }

    public MigrationStatus status() {
        return status;
    }

    public ThrottleSettings throttle() {
        return throttleSettings;
    }

    /** The recorded catch-up lag as sampled at each refresh since the server started. */
    List<LagHistory.Sample> lagHistory() {
        return lagHistory.samples();
    }

    void refresh() {
        try {
            Optional<MigrationHistory> history = MigrationHistory.open(location);
            if (history.isPresent()) {
                try (MigrationHistory h = history.get()) {
                    status = MigrationStatus.read(h, plan);
                }
                lagHistory.record(status, System.currentTimeMillis());
            }
            throttleSettings = throttle.current(plan).map(ThrottleStore.Change::settings)
                    .orElse(ThrottleSettings.UNLIMITED);
            publish(status);
        }
        catch (Exception e) {
            log.warn("cannot read the job repository for metrics: {}", e.getMessage());
        }
    }

    private void publish(MigrationStatus s) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        List<MultiGauge.Row<?>> parts = new ArrayList<>();
        for (MigrationStatus.TableProgress t : s.tables()) {
            rows.add(MultiGauge.Row.of(Tags.of("table", t.table()), t.rows()));
            parts.add(MultiGauge.Row.of(Tags.of("table", t.table(), "state", "total"), t.partitions()));
            parts.add(MultiGauge.Row.of(Tags.of("table", t.table(), "state", "done"), t.partitionsDone()));
            parts.add(MultiGauge.Row.of(Tags.of("table", t.table(), "state", "failed"), t.partitionsFailed()));
        }
        rowsCopied.register(rows, true);
        partitions.register(parts, true);
        List<MultiGauge.Row<?>> verify = new ArrayList<>();
        for (MigrationStatus.VerifiedTable v : s.lastVerification()) {
            verify.add(MultiGauge.Row.of(Tags.of("table", v.table(), "result", "compared"), v.compared()));
            verify.add(MultiGauge.Row.of(Tags.of("table", v.table(), "result", "missing"), v.missing()));
            verify.add(MultiGauge.Row.of(Tags.of("table", v.table(), "result", "extra"), v.extra()));
            verify.add(MultiGauge.Row.of(Tags.of("table", v.table(), "result", "different"), v.different()));
        }
        verified.register(verify, true);
        rehearsal.publish(s.lastRehearsal());
    }

    private static double lag(MigrationStatus s) {
        return s.catchup() == null || s.catchup().lagSeconds() == null ? Double.NaN : s.catchup().lagSeconds();
    }

    @Override
    public void close() {
        refresher.shutdownNow();
    }
}
