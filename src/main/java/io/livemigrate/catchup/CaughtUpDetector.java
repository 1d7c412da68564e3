package io.livemigrate.catchup;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * When a catch-up run ends: a stop request, or, with {@code --until-caught-up}, being caught up; and the lag it
 * reports. The coordinator feeds it what it sees (each poll's outcome, each periodic check's stop request and bytes
 * behind); times are passed in as {@link System#nanoTime()} values with a wall {@link Clock} for commit times, so it
 * holds no connection and reads no clock of its own but that one.
 */
final class CaughtUpDetector {

    /** How often stop requests and bytes behind are checked: a stop is noticed within this. */
    static final long CHECK_MILLIS = 500;
    /**
     * With {@code --until-caught-up} and the stream quiet, checks come this often: "caught up" needs two checks with
     * nothing behind, which at the normal interval would keep a drained catch-up waiting a second for nothing.
     */
    static final long IDLE_CHECK_MILLIS = 50;

    private final CatchupControl control;
    private final Clock clock;
    private long nextCheck;
    private long quietSince = -1;
    private int quietChecks;
    private long bytesBehind = -1;
    private boolean stopping;

    /** @param control the run's options ({@code --until-caught-up}, {@code --max-lag}), read at each question */
    CaughtUpDetector(CatchupControl control, Clock clock) {
        this.control = control;
        this.clock = clock;
    }

    /** Whether the periodic check is due at {@code now}. */
    boolean checkDue(long now) {
        return now >= nextCheck;
    }

    /**
     * The periodic check at {@code now} saw {@code stopRequested} and {@code bytesBehind} (-1 when unknown).
     *
     * @return true when this check is the first to see a stop request
     */
    boolean checked(long now, boolean stopRequested, long bytesBehind) {
        boolean first = stopRequested && !stopping;
        stopping |= stopRequested;
        this.bytesBehind = bytesBehind;
        if (quiet()) {
            quietChecks++;
        }
        nextCheck = now + (control.untilCaughtUp() && quiet() ? IDLE_CHECK_MILLIS : CHECK_MILLIS) * 1_000_000;
        return first;
    }

    /** A poll at {@code now} returned an event ({@code received}) or nothing. */
    void polled(boolean received, long now) {
        if (received) {
            quietSince = -1;
        }
        else if (quietSince < 0) {
            quietSince = now;
            quietChecks = 0;
        }
    }

    /** The last poll returned nothing. */
    boolean quiet() {
        return quietSince >= 0;
    }

    /** When the stream went quiet ({@link System#nanoTime()}); only while {@link #quiet()}. */
    long quietSince() {
        return quietSince;
    }

    boolean stopping() {
        return stopping;
    }

    long bytesBehind() {
        return bytesBehind;
    }

    /**
     * Caught up: quiet for two checks with nothing behind (everything the source committed before the previous check
     * has arrived and is applied), or, while changes flow, the last applied transaction committed less than
     * {@code --max-lag} ago. Asked only between source transactions, with everything received committed.
     *
     * @param appliedCommitTime the source commit time of the last applied transaction; null when none was applied
     */
    boolean caughtUp(Instant appliedCommitTime) {
        if (!control.untilCaughtUp()) {
            return false;
        }
        if (quiet() && quietChecks >= 2 && bytesBehind == 0) {
            return true;
        }
        double lag = lagSeconds(false, appliedCommitTime);
        return lag >= 0 && appliedCommitTime != null && lag * 1000 < control.maxLag().toMillis() && !quiet();
    }

    /**
     * 0 when quiet with everything applied and nothing behind; else seconds since the last applied transaction
     * committed on the source; -1 when unknown.
     *
     * @param holding a source transaction is open, or received ones are not yet committed on the target
     */
    double lagSeconds(boolean holding, Instant appliedCommitTime) {
        if (quiet() && !holding && bytesBehind == 0) {
            return 0;
        }
        if (appliedCommitTime == null) {
            return -1;
        }
        return Math.max(0, Duration.between(appliedCommitTime, clock.instant()).toNanos() / 1e9);
    }
}
