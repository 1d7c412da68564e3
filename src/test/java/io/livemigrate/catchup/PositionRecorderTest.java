package io.livemigrate.catchup;

import io.livemigrate.engine.ChangeEvent;
import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.ChangeStream;
import io.livemigrate.engine.WalPosition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Position recording without a database: the target and the stream are fakes that write down what they are asked, so
 * the order of target commit and source acknowledgement (docs/design.md, rule 4) can be checked.
 */
class PositionRecorderTest {

    private static final long MS = 1_000_000;
    private static final Instant T1 = Instant.parse("2026-12-03T12:00:01Z");
    private static final Instant T2 = Instant.parse("2026-12-03T12:00:02Z");

    private final List<String> calls = new ArrayList<>();
    private Optional<ChangePosition> idle = Optional.empty();
    private PositionRecorder recorder;

    private final PositionRecorder.Target target = new PositionRecorder.Target() {
        @Override
        public void commit(ChangePosition position, Instant commitTime, boolean durable) {
            calls.add("commit " + position + " at " + commitTime + (durable ? " durable" : ""));
        }

        @Override
        public void advance(ChangePosition position) {
            calls.add("advance " + position);
        }
    };

    private final ChangeStream stream = new ChangeStream() {
        @Override
        public ChangeEvent poll(Duration timeout) {
            return null;
        }

        @Override
        public void acknowledge(ChangePosition applied) {
            calls.add("acknowledge " + applied);
        }

        @Override
        public Optional<ChangePosition> idlePosition() {
            return idle;
        }

        @Override
        public long bytesBehind() {
            return 0;
        }

        @Override
        public void close() {
        }
    };

    private static WalPosition at(String lsn) {
        return new WalPosition("slot", lsn);
    }

    @BeforeEach
    void open() {
        recorder = new PositionRecorder(0);
        recorder.startAt(at("0/100"));
        recorder.attach(target, stream);
    }

    @Test
    void nothingPendingCommitsNothing() throws Exception {
        assertThat(recorder.commitPending(true, 5_000 * MS)).isFalse();
        assertThat(calls).isEmpty();
        assertThat(recorder.applied()).isEqualTo(at("0/100"));
        assertThat(recorder.appliedCommitTime()).isNull();
    }

    @Test
    void theNewestReceivedPositionIsCommittedAndAcknowledgedOnlyOnceDurable() throws Exception {
        recorder.sourceCommitted(new ChangeEvent.Commit(at("0/200"), T1));
        recorder.sourceCommitted(new ChangeEvent.Commit(at("0/300"), T2));
        assertThat(recorder.pending()).isTrue();
        assertThat(recorder.newestPendingCommit()).isEqualTo(T2);
        assertThat(recorder.commitPending(false, 10 * MS)).isTrue();
        assertThat(calls).containsExactly("commit postgresql:slot=slot;lsn=0/300 at " + T2);
        assertThat(recorder.applied()).isEqualTo(at("0/300"));
        assertThat(recorder.appliedCommitTime()).isEqualTo(T2);
        assertThat(recorder.pending()).isFalse();

        calls.clear();
        recorder.sourceCommitted(new ChangeEvent.Commit(at("0/400"), T2));
        assertThat(recorder.commitPending(false, PositionRecorder.ACK_INTERVAL_NANOS)).isTrue();
        assertThat(calls).as("a second after the last acknowledgement").containsExactly(
                "commit postgresql:slot=slot;lsn=0/400 at " + T2 + " durable",
                "acknowledge postgresql:slot=slot;lsn=0/400");
    }

    @Test
    void aQuietOrStoppingStreamOrACutoverMarkMakesTheCommitDurable() throws Exception {
        recorder.sourceCommitted(new ChangeEvent.Commit(at("0/200"), T1));
        recorder.commitPending(true, 10 * MS);
        recorder.sourceCommitted(new ChangeEvent.Commit(at("0/300"), T1, true));
        recorder.commitPending(false, 20 * MS);
        recorder.sourceCommitted(new ChangeEvent.Commit(at("0/400"), T1));
        recorder.commitPending(false, 30 * MS);
        assertThat(calls).containsExactly(
                "commit postgresql:slot=slot;lsn=0/200 at " + T1 + " durable",
                "acknowledge postgresql:slot=slot;lsn=0/200",
                "commit postgresql:slot=slot;lsn=0/300 at " + T1 + " durable",
                "acknowledge postgresql:slot=slot;lsn=0/300",
                "commit postgresql:slot=slot;lsn=0/400 at " + T1);
    }

    @Test
    void discardedTransactionsAreNotRecorded() throws Exception {
        recorder.sourceCommitted(new ChangeEvent.Commit(at("0/200"), T1, true));
        recorder.discardPending();
        assertThat(recorder.commitPending(true, 10 * MS)).isFalse();
        assertThat(calls).isEmpty();
        assertThat(recorder.applied()).isEqualTo(at("0/100"));
    }

    @Test
    void aQuietStreamsPositionIsRecordedOnTheTargetBeforeTheSourceIsTold() throws Exception {
        idle = Optional.of(at("0/900"));
        assertThat(recorder.advanceDue(PositionRecorder.IDLE_ADVANCE_NANOS - 1)).isFalse();
        assertThat(recorder.advanceDue(PositionRecorder.IDLE_ADVANCE_NANOS)).isTrue();
        assertThat(recorder.advanceIdle(false, PositionRecorder.IDLE_ADVANCE_NANOS)).isTrue();
        assertThat(calls).containsExactly("advance postgresql:slot=slot;lsn=0/900",
                "acknowledge postgresql:slot=slot;lsn=0/900");
        assertThat(recorder.applied()).isEqualTo(at("0/900"));
        assertThat(recorder.advanceDue(PositionRecorder.IDLE_ADVANCE_NANOS + 1)).as("timed from the advance").isFalse();
    }

    @Test
    void nothingIsAdvancedWhileATransactionIsOpenOrPendingOrTheStreamHasNotMoved() throws Exception {
        idle = Optional.of(at("0/900"));
        assertThat(recorder.advanceIdle(true, 10 * MS)).isFalse();
        recorder.sourceCommitted(new ChangeEvent.Commit(at("0/200"), T1));
        assertThat(recorder.advanceIdle(false, 20 * MS)).isFalse();
        assertThat(calls).isEmpty();
        recorder.commitPending(false, 30 * MS);
        calls.clear();
        idle = Optional.empty();
        assertThat(recorder.advanceIdle(false, 40 * MS)).isFalse();
        assertThat(calls).isEmpty();
        assertThat(recorder.applied()).isEqualTo(at("0/200"));
    }

    @Test
    void anAdvanceCountsAsAnAcknowledgement() throws Exception {
        idle = Optional.of(at("0/900"));
        recorder.advanceIdle(false, 900 * MS);
        recorder.sourceCommitted(new ChangeEvent.Commit(at("0/a00"), T1));
        calls.clear();
        recorder.commitPending(false, 900 * MS + PositionRecorder.ACK_INTERVAL_NANOS - 1);
        assertThat(calls).containsExactly("commit postgresql:slot=slot;lsn=0/a00 at " + T1);
    }
}
