package io.livemigrate.repository;

import java.time.LocalDateTime;
import java.util.Optional;

/**
 * Which side of a plan the application writes to, from its cutover runs and its reverse plan's (revert) runs as the
 * job repository records them: the original source until a cutover switches traffic to the target, then the target
 * until a revert switches it back, and so on. A run counts once its last execution recorded {@link #SWITCH_DONE}
 * without {@link #ROLLED_BACK} (a failed switch undone switched nothing); the later such run wins. Shared by
 * {@code core.TrafficSide} (over Spring Batch's JobRepository, for catch-up's direction check) and {@code status}
 * (over SQL), so both always agree.
 */
public final class PrimarySide {

    public static final String CUTOVER_JOB = "cutover";
    /** The cutover job's identifying run number (one job instance per cutover run of a plan). */
    public static final String RUN_PARAMETER = "cutover.run";
    /** Cutover job context keys: the switch happened; the run was rolled back (undoing a failed switch). */
    public static final String SWITCH_DONE = "cutover.switch.done";
    public static final String ROLLED_BACK = "cutover.rolled.back";

    private PrimarySide() {
    }

    /**
     * @param toTarget when the latest switching run of the plan started (its last execution), if any
     * @param toSource the same for the plan's reverse
     * @param reverse  the plan is itself a reverse plan (its source is the original target)
     */
    public static boolean writesToSource(Optional<LocalDateTime> toTarget, Optional<LocalDateTime> toSource,
                                         boolean reverse) {
        if (toTarget.isEmpty() && toSource.isEmpty()) {
            return !reverse;
        }
        return toTarget.isEmpty() || toSource.isPresent() && toSource.get().isAfter(toTarget.get());
    }
}
