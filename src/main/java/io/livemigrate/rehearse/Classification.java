package io.livemigrate.rehearse;

/**
 * What the rehearsal does with one logged statement.
 *
 * @param action          replay it, remember it as a session setting, or skip it
 * @param reason          why it is skipped (counted per reason), null otherwise
 * @param notComparable   why its result may differ between two runs on equal data (then it is replayed and timed,
 *                        its result not compared), null when results are compared
 * @param ordered         whether the result's row order is part of the result (ORDER BY at the top)
 * @param fingerprint     the statement with literals and parameters replaced by {@code ?}, lists collapsed
 */
public record Classification(Action action, String reason, String notComparable, boolean ordered,
                             String fingerprint) {

    public enum Action { REPLAY, SETTING, SKIP }

    static Classification skip(String reason, String fingerprint) {
        return new Classification(Action.SKIP, reason, null, false, fingerprint);
    }

    static Classification setting(String fingerprint) {
        return new Classification(Action.SETTING, null, null, false, fingerprint);
    }

    public boolean comparable() {
        return notComparable == null;
    }
}
