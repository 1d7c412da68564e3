package io.livemigrate.catchup;

import io.livemigrate.engine.ChangePosition;
import io.livemigrate.ops.MigrationMetrics;
import org.springframework.batch.infrastructure.item.ExecutionContext;

import java.time.Duration;
import java.time.Instant;

/**
 * What catch-up has done, where others read it: the counts of changes and source transactions, and the applied
 * position and lag, published to the console's {@link CatchupProgress} and the metrics as they change, and saved to the
 * step's execution context (the job repository) every couple of seconds, where {@code status}, the cutover's
 * preconditions and a restart read them.
 */
final class CatchupReporter {

    /** What is reported at one moment: the applied position and how far behind the source it is. */
    record Snapshot(ChangePosition applied, Instant appliedCommitTime, double lagSeconds, long bytesBehind) {
    }

    private final CatchupProgress progress;
    private final MigrationMetrics metrics;
    private long events;
    private long eventsPublished;
    private long transactions;

    CatchupReporter(CatchupProgress progress, MigrationMetrics metrics) {
        this.progress = progress;
        this.metrics = metrics;
    }

    /** Continues the counts a previous run of the step saved. */
    void restore(ExecutionContext ctx) {
        events = ctx.getLong(CatchupTasklet.EVENTS, 0L);
        transactions = ctx.getLong(CatchupTasklet.TRANSACTIONS, 0L);
    }

    /** The stream is open: the progress line's rates count from here. */
    void streaming() {
        progress.streaming(events, transactions);
    }

    void changeApplied() {
        events++;
    }

    void transactionReceived() {
        transactions++;
    }

    long events() {
        return events;
    }

    long transactions() {
        return transactions;
    }

    /** To the progress line and the metrics. */
    void publish(Snapshot now) {
        progress.update(events, transactions, now.lagSeconds(), now.bytesBehind(),
                now.applied() == null ? null : now.applied().serialize(), now.appliedCommitTime());
        metrics.changesApplied(events - eventsPublished);
        eventsPublished = events;
        metrics.catchupLag(Duration.ofMillis(Math.round(now.lagSeconds() * 1000)));
    }

    /** To the step's execution context, which the job repository saves when the tasklet call returns; and published. */
    void report(ExecutionContext ctx, Snapshot now) {
        if (now.applied() != null) {
            ctx.putString(CatchupTasklet.POSITION, now.applied().serialize());
        }
        if (now.appliedCommitTime() != null) {
            ctx.putString(CatchupTasklet.COMMIT_TIME, now.appliedCommitTime().toString());
        }
        ctx.putLong(CatchupTasklet.EVENTS, events);
        ctx.putLong(CatchupTasklet.TRANSACTIONS, transactions);
        ctx.putDouble(CatchupTasklet.LAG, Math.round(now.lagSeconds() * 1000) / 1000.0);
        ctx.putLong(CatchupTasklet.BYTES_BEHIND, now.bytesBehind());
        publish(now);
    }
}
