package io.livemigrate.cutover;

/** Points the application at the new primary. Each call is idempotent, so a rerun after a crash can redo it. */
interface TrafficSwitch {

    /** Reads what {@link #undo} restores; stored in the job repository before the switch starts. */
    String prepare() throws Exception;

    void apply() throws Exception;

    /** Puts traffic back where {@link #prepare()} found it (a failed switch). */
    void undo(String restore) throws Exception;

    String describe();
}
