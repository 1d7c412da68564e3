package io.livemigrate.rehearse;

import java.util.List;

/**
 * What became of one logged statement: skipped (with its reason), not sampled, a session setting, not replayed because
 * the rehearsal was stopped, replayed for timing only, or replayed and compared. For a replay: each side's time (microseconds, the first round's), and when the
 * sides disagreed in every round, what differed (the first differing rows, or both SQLSTATEs).
 */
record ReplayOutcome(Kind kind, String fingerprint, String reason, String sql, List<String> parameters,
                     List<String> settings, String user, long sourceMicros, long targetMicros, boolean inFlux,
                     Difference difference) {

    enum Kind { SKIPPED, NOT_SAMPLED, SETTING, STOPPED, TIMED, COMPARED }

    /** A difference between the sides; {@code kind} RESULT or ERROR, {@code detail} readable. */
    record Difference(String kind, String detail) {
    }

    static ReplayOutcome of(Kind kind, ReplayItem item, String reason) {
        return new ReplayOutcome(kind, item.classification().fingerprint(), reason, item.statement().sql(),
                item.statement().parameters(), item.settings(), item.statement().user(), -1, -1, false, null);
    }

    boolean replayed() {
        return kind == Kind.TIMED || kind == Kind.COMPARED;
    }
}
