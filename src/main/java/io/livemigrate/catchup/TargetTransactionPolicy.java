package io.livemigrate.catchup;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The batching policy: when the target transaction that holds whole source transactions ends (docs/design.md,
 * "Catch-up (details)"). It never ends inside a source transaction; the coordinator asks only between them. Times are
 * passed in ({@link System#nanoTime()} values and a wall {@link Clock}), so the policy is a pure function of them.
 */
final class TargetTransactionPolicy {

    /** Rows a target transaction holds at most. */
    static final int MAX_ROWS = 20_000;
    /** A target transaction's span while a backlog drains: fewer, larger commits. */
    static final long MAX_MILLIS = 500;
    /**
     * A target transaction's span while it holds source transactions committed less than {@link #LIVE_LAG_MILLIS}
     * ago: catch-up is keeping up with a live source, and a change waits for the target commit, so the span is lag
     * and must stay well under the lag a cutover accepts. A draining backlog keeps {@link #MAX_MILLIS} and the fewer
     * commits.
     */
    static final long LIVE_MAX_MILLIS = 100;
    /**
     * Source commits younger than this make a target transaction live. Two seconds rather than one: binlog event
     * times have whole seconds only, so a commit 0.9 s old can read as 1.9 s.
     */
    static final long LIVE_LAG_MILLIS = 2_000;
    /**
     * A gap of a few milliseconds in the stream is the source decoding more, not an idle source: committing (and
     * making durable) on every such gap would cost a target round trip per source transaction while a backlog
     * drains. The open target transaction commits once the stream has been quiet this long.
     */
    static final long QUIET_COMMIT_NANOS = 20_000_000L;

    private final Clock clock;
    private long openedAt;

    /** @param clock the wall clock source commit times are compared with */
    TargetTransactionPolicy(Clock clock) {
        this.clock = clock;
    }

    /** The first source transaction of a new target transaction begins at {@code now}. */
    void opened(long now) {
        openedAt = now;
    }

    /**
     * Whether the target transaction, holding {@code uncommittedChanges} rows and source commits up to
     * {@code newestCommit}, ends at {@code now}. Asked after every source transaction.
     */
    boolean ends(long uncommittedChanges, Instant newestCommit, long now) {
        return uncommittedChanges >= MAX_ROWS || spanEnded(now - openedAt, newestCommit, clock);
    }

    /** Whether a stream quiet since {@code quietSince} has been quiet long enough to commit at {@code now}. */
    static boolean quietLongEnough(long quietSince, long now) {
        return now - quietSince >= QUIET_COMMIT_NANOS;
    }

    /**
     * How long to wait for the next event: briefly while a source transaction is open or source transactions wait for
     * their target commit (a quiet gap then commits them), else long enough not to spin on a quiet stream.
     */
    static Duration pollTimeout(boolean holding) {
        return Duration.ofMillis(holding ? 2 : 100);
    }

    /**
     * Whether a target transaction open {@code openNanos}, holding source commits up to {@code newestCommit}, has
     * reached its span; the clock is read only once the live span has passed.
     */
    static boolean spanEnded(long openNanos, Instant newestCommit, Clock clock) {
        if (openNanos < LIVE_MAX_MILLIS * 1_000_000) {
            return false;
        }
        return openNanos >= MAX_MILLIS * 1_000_000
                || newestCommit != null && Duration.between(newestCommit, clock.instant()).toMillis() < LIVE_LAG_MILLIS;
    }
}
