package io.livemigrate.catchup;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Stop and caught-up detection on a fake clock: nanosecond readings are passed in, the wall clock is fixed. */
class CaughtUpDetectorTest {

    private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
    private static final long MS = 1_000_000;

    private final CatchupControl control = new CatchupControl();
    private final CaughtUpDetector detector = new CaughtUpDetector(control, Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void withoutUntilCaughtUpARunIsNeverCaughtUp() {
        detector.polled(false, 0);
        detector.checked(0, false, 0);
        detector.checked(MS, false, 0);
        assertThat(detector.caughtUp(NOW)).isFalse();
    }

    @Test
    void aQuietStreamIsCaughtUpAfterTwoChecksWithNothingBehind() {
        control.untilCaughtUp(true, Duration.ofSeconds(1));
        detector.polled(false, 0);
        detector.checked(10 * MS, false, 0);
        assertThat(detector.caughtUp(null)).as("one check").isFalse();
        detector.checked(60 * MS, false, 0);
        assertThat(detector.caughtUp(null)).isTrue();
    }

    @Test
    void bytesBehindOrAnEventAfterTheChecksIsNotCaughtUp() {
        control.untilCaughtUp(true, Duration.ofSeconds(1));
        detector.polled(false, 0);
        detector.checked(10 * MS, false, 4096);
        detector.checked(60 * MS, false, 4096);
        assertThat(detector.caughtUp(null)).isFalse();
        detector.polled(true, 70 * MS);
        detector.polled(false, 80 * MS);
        detector.checked(90 * MS, false, 0);
        assertThat(detector.caughtUp(null)).as("the quiet checks count again from the new quiet").isFalse();
        detector.checked(140 * MS, false, 0);
        assertThat(detector.caughtUp(null)).isTrue();
    }

    @Test
    void whileChangesFlowTheLagOfTheLastAppliedTransactionDecides() {
        control.untilCaughtUp(true, Duration.ofMillis(1_000));
        detector.polled(true, 0);
        detector.checked(0, false, 1 << 20);
        assertThat(detector.caughtUp(NOW.minusMillis(999))).isTrue();
        assertThat(detector.caughtUp(NOW.minusMillis(1_000))).isFalse();
        assertThat(detector.caughtUp(null)).as("nothing applied yet").isFalse();
    }

    @Test
    void aStopRequestIsReportedOnceAndStays() {
        assertThat(detector.stopping()).isFalse();
        assertThat(detector.checked(0, false, -1)).isFalse();
        assertThat(detector.checked(500 * MS, true, -1)).isTrue();
        assertThat(detector.checked(1_000 * MS, true, -1)).as("already noticed").isFalse();
        assertThat(detector.checked(1_500 * MS, false, -1)).isFalse();
        assertThat(detector.stopping()).isTrue();
    }

    @Test
    void checksComeEveryHalfSecondAndFasterWhileAwaitingCaughtUpOnAQuietStream() {
        detector.checked(0, false, 0);
        assertThat(detector.checkDue(499 * MS)).isFalse();
        assertThat(detector.checkDue(500 * MS)).isTrue();
        detector.polled(false, 500 * MS);
        detector.checked(500 * MS, false, 0);
        assertThat(detector.checkDue(550 * MS)).as("quiet, but not awaiting caught up").isFalse();
        control.untilCaughtUp(true, Duration.ofSeconds(1));
        detector.checked(1_000 * MS, false, 0);
        assertThat(detector.checkDue(1_049 * MS)).isFalse();
        assertThat(detector.checkDue(1_050 * MS)).isTrue();
    }

    @Test
    void lagIsZeroWhenQuietWithEverythingAppliedElseTheAgeOfTheLastAppliedCommit() {
        assertThat(detector.lagSeconds(false, null)).as("unknown").isEqualTo(-1);
        detector.polled(true, 0);
        detector.checked(0, false, 0);
        assertThat(detector.lagSeconds(false, NOW.minusMillis(1_500))).isCloseTo(1.5, within(1e-9));
        detector.polled(false, MS);
        assertThat(detector.lagSeconds(false, NOW.minusMillis(1_500))).isZero();
        assertThat(detector.lagSeconds(true, NOW.minusMillis(1_500))).as("holding a transaction")
                .isCloseTo(1.5, within(1e-9));
        detector.checked(2 * MS, false, 10);
        assertThat(detector.lagSeconds(false, NOW.minusMillis(1_500))).as("bytes behind").isCloseTo(1.5, within(1e-9));
        assertThat(detector.lagSeconds(false, NOW.plusSeconds(1))).as("a source clock ahead").isZero();
    }
}
