package io.livemigrate.engine;

/**
 * A write fence on the current primary. {@link #prepare()} reads what {@link #lift} must restore and runs before
 * the fence is applied, so the job can persist it first: a rerun after a crash lifts the fence exactly.
 */
public interface Fence {

    /** Reads the state to restore; serialized, stored in the job repository. */
    String prepare() throws Exception;

    void apply() throws Exception;

    /** Restores what {@link #prepare()} read. Idempotent: lifting a lifted fence does nothing. */
    void lift(String restore) throws Exception;

    /**
     * Ends the pause after a successful switch: writes resume, on the new primary. By default the fence is lifted
     * as recorded (a paused proxy resumes, towards the target by now). Idempotent, like {@link #lift}.
     *
     * @return what was done, for the operator
     */
    default String release(String restore) throws Exception {
        lift(restore);
        return describe() + " lifted";
    }

    String describe();
}
