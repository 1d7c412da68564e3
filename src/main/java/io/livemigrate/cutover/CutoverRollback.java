package io.livemigrate.cutover;

import io.livemigrate.engine.Fence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the source back in service after a cutover that did not get through its switch: undoes a switch that was
 * begun and failed, then lifts the fence exactly as recorded. Used when a run fails and when a rerun finds a run
 * whose process died before the switch.
 */
final class CutoverRollback {

    private static final Logger log = LoggerFactory.getLogger(CutoverRollback.class);

    private CutoverRollback() {
    }

    /** @return what was done, for the operator */
    static String rollBack(CutoverRecord record, FenceAndSwitchFactory fenceAndSwitch) throws Exception {
        StringBuilder done = new StringBuilder();
        if (record.has(CutoverRecord.SWITCH_RESTORE) && !record.has(CutoverRecord.SWITCH_DONE)) {
            TrafficSwitch sw = fenceAndSwitch.trafficSwitch();
            sw.undo(record.get(CutoverRecord.SWITCH_RESTORE));
            done.append("switch undone (").append(sw.describe()).append("); ");
        }
        if (record.has(CutoverRecord.FENCE_RESTORE) && !record.has(CutoverRecord.FENCE_LIFTED)) {
            Fence fence = fenceAndSwitch.fence();
            fence.lift(record.get(CutoverRecord.FENCE_RESTORE));
            record.put(CutoverRecord.FENCE_LIFTED, true);
            done.append("fence lifted (").append(fence.describe()).append("); ");
        }
        if ("true".equals(record.get(CutoverRecord.REVERSE_PREPARED))) {
            fenceAndSwitch.dropPreparedReverse();
            record.put(CutoverRecord.REVERSE_PREPARED, false);
            done.append("reverse change capture created by this run removed from the target; ");
        }
        record.put(CutoverRecord.ROLLED_BACK, true);
        // Without a switch begun no client was sent to the target; a command switch that failed half-way may have.
        String summary = done + (record.has(CutoverRecord.SWITCH_RESTORE) ? "the source is the primary again"
                : "the source is the primary, nothing was written on the target by the application");
        log.warn("cutover rolled back: {}", summary);
        return summary;
    }
}
