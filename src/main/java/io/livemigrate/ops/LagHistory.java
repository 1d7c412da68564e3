package io.livemigrate.ops;

import io.livemigrate.repository.MigrationStatus;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Catch-up lag over time for the status page's chart. The job repository keeps only each stream's latest recorded
 * lag (its step context), so the server samples it at every refresh of the status: a running stream's recorded lag
 * (the forward and the reverse stream, each its own series) is kept in memory, at most {@link #CAPACITY} samples
 * (an hour at the 5 s refresh), the oldest dropped first. It starts empty when the server starts.
 */
final class LagHistory {

    static final int CAPACITY = 720;

    /** One sample: when the server read it, which stream ("forward" or "reverse"), the lag it recorded. */
    record Sample(long epochMillis, String stream, double lagSeconds) {
    }

    private final Deque<Sample> samples = new ArrayDeque<>();

    /** Adds each running stream's recorded lag (not a stopped stream's last value, nor an unmeasured one). */
    synchronized void record(MigrationStatus status, long epochMillis) {
        add(epochMillis, "forward", status.catchup());
        add(epochMillis, "reverse", status.reverseCatchup());
    }

    private void add(long epochMillis, String stream, MigrationStatus.Catchup c) {
        if (c == null || !c.status().equals("STARTED") || c.lagSeconds() == null || c.lagSeconds() < 0) {
            return;
        }
        if (samples.size() == CAPACITY) {
            samples.removeFirst();
        }
        samples.addLast(new Sample(epochMillis, stream, c.lagSeconds()));
    }

    synchronized List<Sample> samples() {
        return new ArrayList<>(samples);
    }
}
