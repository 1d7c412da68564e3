package io.livemigrate.rehearse;

import java.nio.file.Path;

/**
 * What one {@code rehearse} command asked for, validated once.
 *
 * @param log         the statement log, a file or a directory of rotated files
 * @param follow      keep reading what the server appends until the rehearsal is stopped
 * @param sample      the fraction of replayable statements replayed, (0, 1]
 * @param rate        statements per second on the source at most, across all sessions (0: no limit beyond the
 *                    plan's throttle)
 * @param sessions    partitions, i.e. statements running at once on each side
 * @param regressions when a slower target is a regression
 */
public record RehearseOptions(Path log, boolean follow, double sample, long rate, int sessions,
                              Regressions regressions) {

    public RehearseOptions {
        if (!(sample > 0 && sample <= 1)) {
            throw new IllegalArgumentException("--sample must be more than 0% and at most 100%");
        }
        if (rate < 0) {
            throw new IllegalArgumentException("--rate must be 0 (no limit) or more");
        }
        if (sessions < 1 || sessions > 256) {
            throw new IllegalArgumentException("--sessions must be between 1 and 256, not " + sessions);
        }
    }

    static final int REPLAY_CHUNK = 100;
    static final int FOLLOW_CHUNK = 1;

    /**
     * Statements per chunk (and checkpoint): one when following, so a quiet log's last statements are recorded; else
     * 100, as each chunk reads, merges and encodes its fingerprints' histograms again in the job repository (at 20,
     * a tenth of a rehearsal's CPU). A killed rehearsal replays at most that many statements per partition again.
     */
    int chunkSize() {
        return follow ? FOLLOW_CHUNK : REPLAY_CHUNK;
    }
}
