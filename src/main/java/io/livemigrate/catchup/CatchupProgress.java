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
}
