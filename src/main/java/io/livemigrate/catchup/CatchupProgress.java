package io.livemigrate.catchup;

import java.time.Instant;

/** What a running catch-up has done, for the console progress line. Written by the job, read by the printer. */
public class CatchupProgress {

    private final long startNanos = System.nanoTime();
    private volatile long events;
    private volatile long transactions;
    private volatile double lagSeconds = -1;
    private volatile long bytesBehind = -1;
    private volatile String position;
    private volatile Instant commitTime;
    private volatile long streamStartNanos = -1;
    private volatile long eventsAtStreamStart;
    private volatile long transactionsAtStreamStart;

    void update(long events, long transactions, double lagSeconds, long bytesBehind, String position,
                Instant commitTime) {
        this.events = events;
        this.transactions = transactions;
        this.lagSeconds = lagSeconds;
        this.bytesBehind = bytesBehind;
        this.position = position;
        this.commitTime = commitTime;
    }

    public long events() {
        return events;
    }

    public long transactions() {
        return transactions;
    }

    public double lagSeconds() {
        return lagSeconds;
    }

    public long bytesBehind() {
        return bytesBehind;
    }

    public String position() {
        return position;
    }

    public Instant commitTime() {
        return commitTime;
    }

    public double seconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** The change stream is open: what this run applies from here on is measured from now. */
    void streaming(long eventsSoFar, long transactionsSoFar) {
        eventsAtStreamStart = eventsSoFar;
        transactionsAtStreamStart = transactionsSoFar;
        streamStartNanos = System.nanoTime();
    }

    /** What this run applied since its stream opened, and how fast; empty before it opened. */
    public java.util.Optional<String> runSummary() {
        if (streamStartNanos < 0) {
            return java.util.Optional.empty();
        }
        double seconds = (System.nanoTime() - streamStartNanos) / 1e9;
        long tx = transactions - transactionsAtStreamStart;
        return java.util.Optional.of(String.format(java.util.Locale.ROOT, "%,d transactions (%,d events) applied in "
                + "%.2f s of streaming, %,.0f transactions/s", tx, events - eventsAtStreamStart, seconds,
                seconds > 0 ? tx / seconds : 0.0));
    }
}
