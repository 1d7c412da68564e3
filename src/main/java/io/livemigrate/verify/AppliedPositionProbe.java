package io.livemigrate.verify;

import java.time.Duration;

/**
 * The hook that lets verification run while catch-up applies changes ("in flux"): rows a verification finds
 * different may simply not have been replayed yet. When a probe is present ({@link CatchupAppliedProbe}, whenever the plan's catch-up is running),
 * a differing range is re-compared after the target has applied everything up to the source position seen at the
 * first check, for at most {@link RangeVerifier#FLUX_ROUNDS} rounds; only rows that differ in every round are
 * differences, the others are reported as in flux. Without a probe (no catch-up running) nothing is rechecked.
 *
 * <p>The source position is what the source has committed now (the engine's mark: PostgreSQL's WAL insert
 * position, MySQL's binlog file/position), in the catch-up job's own serialized form; the applied position is the
 * one catch-up stores in the target with each applied transaction (docs/design.md, rule 4).
 */
public interface AppliedPositionProbe {

    /** The source's current change position. */
    String sourcePosition() throws Exception;

    /**
     * Waits until the target has applied the source's changes up to at least {@code position}, at most
     * {@code timeout}.
     *
     * @return whether it has (false: catch-up is behind or stopped; the recheck then counts as one more round)
     */
    boolean awaitApplied(String position, Duration timeout) throws Exception;
}
