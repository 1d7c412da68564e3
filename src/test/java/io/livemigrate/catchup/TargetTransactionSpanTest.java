package io.livemigrate.catchup;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static io.livemigrate.catchup.TargetTransactionPolicy.spanEnded;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * How long catch-up keeps a target transaction open: long while a backlog drains (fewer commits), short while it
 * keeps up with a live source (a change waits for the commit, so the span is lag).
 */
class TargetTransactionSpanTest {

    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private static long millis(long ms) {
        return ms * 1_000_000;
    }

    @Test
    void aTargetTransactionHoldingRecentSourceCommitsEndsAfterTheLiveSpan() {
        Instant recent = NOW.minusMillis(800);
        assertThat(spanEnded(millis(TargetTransactionPolicy.LIVE_MAX_MILLIS - 1), recent, CLOCK)).isFalse();
        assertThat(spanEnded(millis(TargetTransactionPolicy.LIVE_MAX_MILLIS), recent, CLOCK)).isTrue();
    }

    @Test
    void aDrainingBacklogKeepsItsTargetTransactionOpenForTheFullSpan() {
        Instant old = NOW.minusSeconds(20);
        assertThat(spanEnded(millis(TargetTransactionPolicy.LIVE_MAX_MILLIS), old, CLOCK)).isFalse();
        assertThat(spanEnded(millis(TargetTransactionPolicy.MAX_MILLIS - 1), old, CLOCK)).isFalse();
        assertThat(spanEnded(millis(TargetTransactionPolicy.MAX_MILLIS), old, CLOCK)).isTrue();
    }

    @Test
    void sourceCommitTimesInWholeSecondsStillCountAsLive() {
        // a binlog event time is truncated to its second, so a transaction committed 0.9 s ago can read as 1.9 s
        assertThat(spanEnded(millis(TargetTransactionPolicy.LIVE_MAX_MILLIS), NOW.minusMillis(1_900), CLOCK))
                .isTrue();
    }

    @Test
    void withoutACommitTimeTheFullSpanApplies() {
        assertThat(spanEnded(millis(TargetTransactionPolicy.LIVE_MAX_MILLIS), null, CLOCK)).isFalse();
        assertThat(spanEnded(millis(TargetTransactionPolicy.MAX_MILLIS), null, CLOCK)).isTrue();
    }
}
