package io.livemigrate.catchup;

import io.livemigrate.engine.BinlogPosition;
import io.livemigrate.ops.MigrationMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.batch.infrastructure.item.ExecutionContext;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Progress reporting without a database: what the step context, the progress line and the metrics receive. */
class CatchupReporterTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final CatchupProgress progress = new CatchupProgress();
    private final CatchupReporter reporter = new CatchupReporter(progress, new MigrationMetrics(registry));

    @Test
    void theStepContextGetsThePositionCountsAndRoundedLag() {
        ExecutionContext previous = new ExecutionContext();
        previous.putLong(CatchupTasklet.EVENTS, 40);
        previous.putLong(CatchupTasklet.TRANSACTIONS, 4);
        reporter.restore(previous);
        reporter.changeApplied();
        reporter.changeApplied();
        reporter.transactionReceived();
        BinlogPosition applied = new BinlogPosition("binlog.000002", 157, "", "mysql");
        Instant committed = Instant.parse("2026-12-03T12:00:00Z");
        ExecutionContext ctx = new ExecutionContext();
        reporter.report(ctx, new CatchupReporter.Snapshot(applied, committed, 1.23456, 512));
        assertThat(ctx.getString(CatchupTasklet.POSITION)).isEqualTo("mysql:file=binlog.000002;pos=157;gtid=;flavor=mysql");
        assertThat(ctx.getString(CatchupTasklet.COMMIT_TIME)).isEqualTo("2026-12-03T12:00:00Z");
        assertThat(ctx.getLong(CatchupTasklet.EVENTS)).isEqualTo(42);
        assertThat(ctx.getLong(CatchupTasklet.TRANSACTIONS)).isEqualTo(5);
        assertThat(ctx.getDouble(CatchupTasklet.LAG)).isEqualTo(1.235);
        assertThat(ctx.getLong(CatchupTasklet.BYTES_BEHIND)).isEqualTo(512);
        assertThat(progress.events()).isEqualTo(42);
        assertThat(progress.position()).isEqualTo(applied.serialize());
        assertThat(progress.commitTime()).isEqualTo(committed);
    }

    @Test
    void nothingAppliedLeavesPositionAndCommitTimeOut() {
        ExecutionContext ctx = new ExecutionContext();
        reporter.report(ctx, new CatchupReporter.Snapshot(null, null, -1, -1));
        assertThat(ctx.containsKey(CatchupTasklet.POSITION)).isFalse();
        assertThat(ctx.containsKey(CatchupTasklet.COMMIT_TIME)).isFalse();
        assertThat(ctx.getDouble(CatchupTasklet.LAG)).isEqualTo(-1);
        assertThat(progress.position()).isNull();
    }

    @Test
    void theMetricsCountEachAppliedChangeOnce() {
        reporter.changeApplied();
        reporter.changeApplied();
        CatchupReporter.Snapshot s = new CatchupReporter.Snapshot(null, null, 0.25, 0);
        reporter.publish(s);
        reporter.publish(s);
        reporter.changeApplied();
        reporter.publish(s);
        assertThat(registry.get("livemigrate.catchup.events").counter().count()).isEqualTo(3);
        assertThat(registry.get("livemigrate.catchup.lag.seconds").gauge().value()).isEqualTo(0.25);
    }
}
