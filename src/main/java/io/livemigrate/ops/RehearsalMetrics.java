package io.livemigrate.ops;

import io.livemigrate.repository.RehearsalHistory;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

import java.util.ArrayList;
import java.util.List;

/**
 * Gauges of the plan's latest finished rehearsal, as the job repository records it: its outcome and time, its
 * statement counts, and per fingerprint (the worst {@link io.livemigrate.repository.MigrationStatus#WORST_FINGERPRINTS},
 * which bounds the series) its counts, each side's p95 and whether it regressed. Fingerprints are labelled by their
 * stable id and their text, cut to {@value #LABEL_CHARS} characters. No rehearsal yet: the outcome gauges are NaN and
 * the others have no series.
 */
final class RehearsalMetrics {

    static final int LABEL_CHARS = 120;

    private final MultiGauge statements;
    private final MultiGauge fingerprints;
    private final MultiGauge fingerprintStatements;
    private final MultiGauge fingerprintP95;
    private final MultiGauge fingerprintRegression;
    private volatile RehearsalHistory.Run last;

    RehearsalMetrics(MeterRegistry registry) {
        Gauge.builder("livemigrate.rehearsal.clean", this, m -> m.last == null ? Double.NaN : m.last.clean() ? 1 : 0)
                .description("1 when the latest rehearsal compared results and found no difference and no regression")
                .register(registry);
        Gauge.builder("livemigrate.rehearsal.finished.timestamp.seconds", this,
                        m -> m.last == null ? Double.NaN : m.last.finishedAt().toEpochMilli() / 1e3)
                .description("When the latest rehearsal finished (Unix time)").register(registry);
        statements = MultiGauge.builder("livemigrate.rehearsal.statements")
                .description("Statements of the latest rehearsal by result").register(registry);
        fingerprints = MultiGauge.builder("livemigrate.rehearsal.fingerprints")
                .description("Fingerprints (query shapes) of the latest rehearsal, all and regressed").register(registry);
        fingerprintStatements = MultiGauge.builder("livemigrate.rehearsal.fingerprint.statements")
                .description("Statements of one fingerprint in the latest rehearsal by result").register(registry);
        fingerprintP95 = MultiGauge.builder("livemigrate.rehearsal.fingerprint.p95.seconds")
                .description("A fingerprint's 95th percentile latency on each side in the latest rehearsal")
                .register(registry);
        fingerprintRegression = MultiGauge.builder("livemigrate.rehearsal.fingerprint.regression")
                .description("1 when the target's p95 regressed against the source's").register(registry);
    }

    void publish(RehearsalHistory.Rehearsal rehearsal) {
        last = rehearsal == null ? null : rehearsal.run();
        List<MultiGauge.Row<?>> totals = new ArrayList<>();
        List<MultiGauge.Row<?>> shapes = new ArrayList<>();
        List<MultiGauge.Row<?>> counts = new ArrayList<>();
        List<MultiGauge.Row<?>> p95 = new ArrayList<>();
        List<MultiGauge.Row<?>> regressed = new ArrayList<>();
        if (rehearsal != null) {
            RehearsalHistory.Run r = rehearsal.run();
            totals.add(row(Tags.of("result", "logged"), r.statements()));
            totals.add(row(Tags.of("result", "replayed"), r.replayed()));
            totals.add(row(Tags.of("result", "compared"), r.compared()));
            totals.add(row(Tags.of("result", "skipped"), r.skipped()));
            totals.add(row(Tags.of("result", "result_differences"), r.resultDiffs()));
            totals.add(row(Tags.of("result", "error_differences"), r.errorDiffs()));
            shapes.add(row(Tags.of("state", "all"), r.fingerprints()));
            shapes.add(row(Tags.of("state", "regressed"), r.regressions()));
            for (RehearsalHistory.Row f : rehearsal.worst()) {
                Tags shape = Tags.of("fingerprint_id", f.id(), "fingerprint", label(f.fingerprint()));
                counts.add(row(shape.and("result", "replayed"), f.executions()));
                counts.add(row(shape.and("result", "compared"), f.compared()));
                counts.add(row(shape.and("result", "result_differences"), f.resultDiffs()));
                counts.add(row(shape.and("result", "error_differences"), f.errorDiffs()));
                p95.add(row(shape.and("side", "source"), f.source().p95() / 1e6));
                p95.add(row(shape.and("side", "target"), f.target().p95() / 1e6));
                regressed.add(row(shape, f.regression() ? 1 : 0));
            }
        }
        statements.register(totals, true);
        fingerprints.register(shapes, true);
        fingerprintStatements.register(counts, true);
        fingerprintP95.register(p95, true);
        fingerprintRegression.register(regressed, true);
    }

    private static MultiGauge.Row<?> row(Tags tags, Number value) {
        return MultiGauge.Row.of(tags, value);
    }

    private static String label(String fingerprint) {
        String one = fingerprint.replace('\n', ' ');
        return one.length() <= LABEL_CHARS ? one : one.substring(0, LABEL_CHARS - 3) + "...";
    }
}
