package io.livemigrate.catchup;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

/** The batching policy on a fake clock: nanosecond readings are passed in, the wall clock is fixed. */
class TargetTransactionPolicyTest {

    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
    private static final long MS = 1_000_000;

    private final TargetTransactionPolicy policy = new TargetTransactionPolicy(Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void aFullTargetTransactionEndsWhateverItsAge() {
        policy.opened(1_000 * MS);
        Instant old = NOW.minusSeconds(60);
        assertThat(policy.ends(TargetTransactionPolicy.MAX_ROWS - 1, old, 1_000 * MS)).isFalse();
        assertThat(policy.ends(TargetTransactionPolicy.MAX_ROWS, old, 1_000 * MS)).isTrue();
    }

    @Test
    void theSpanCountsFromTheFirstSourceTransaction() {
        long opened = 5_000 * MS;
        policy.opened(opened);
        Instant old = NOW.minusSeconds(60);
        assertThat(policy.ends(1, old, opened + (TargetTransactionPolicy.MAX_MILLIS - 1) * MS)).isFalse();
        assertThat(policy.ends(1, old, opened + TargetTransactionPolicy.MAX_MILLIS * MS)).isTrue();
        Instant live = NOW.minusMillis(300);
        assertThat(policy.ends(1, live, opened + (TargetTransactionPolicy.LIVE_MAX_MILLIS - 1) * MS)).isFalse();
        assertThat(policy.ends(1, live, opened + TargetTransactionPolicy.LIVE_MAX_MILLIS * MS)).isTrue();
        policy.opened(opened + TargetTransactionPolicy.MAX_MILLIS * MS);
        assertThat(policy.ends(1, old, opened + TargetTransactionPolicy.MAX_MILLIS * MS)).as("a new one").isFalse();
    }

    @Test
    void aSourceCommitOlderThanTheLiveLagIsABacklog() {
        policy.opened(0);
        long live = TargetTransactionPolicy.LIVE_MAX_MILLIS * MS;
        assertThat(policy.ends(1, NOW.minusMillis(TargetTransactionPolicy.LIVE_LAG_MILLIS - 1), live)).isTrue();
        assertThat(policy.ends(1, NOW.minusMillis(TargetTransactionPolicy.LIVE_LAG_MILLIS), live)).isFalse();
    }

    @Test
    void aShortGapIsTheSourceDecodingMoreAndALongerOneIsQuiet() {
        long quietSince = 7_000 * MS;
        assertThat(TargetTransactionPolicy.quietLongEnough(quietSince, quietSince + 19 * MS)).isFalse();
        assertThat(TargetTransactionPolicy.quietLongEnough(quietSince, quietSince + 20 * MS)).isTrue();
    }

    @Test
    void pollsAreShortWhileHoldingSourceTransactions() {
        assertThat(TargetTransactionPolicy.pollTimeout(true)).isEqualTo(Duration.ofMillis(2));
        assertThat(TargetTransactionPolicy.pollTimeout(false)).isEqualTo(Duration.ofMillis(100));
    }
}
