package io.livemigrate.cutover;

import io.livemigrate.core.TrafficSide;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * What a cutover run keeps in its job execution context, written through to the job repository at once (not at
 * step end), so a rerun after a crash knows exactly what is in force: a fence and how to lift it, a switch begun.
 */
public final class CutoverRecord {

    public static final String FENCE_RESTORE = "cutover.fence.restore";
    public static final String FENCE_LIFTED = "cutover.fence.lifted";
    public static final String PAUSE_STARTED = "cutover.pause.started.ms";
    public static final String PAUSE_MILLIS = "cutover.pause.ms";
    public static final String DRAIN_POSITION = "cutover.drain.position";
    public static final String REVERSE_POSITION = "cutover.reverse.position";
    public static final String REVERSE_PREPARED = "cutover.reverse.prepared";
    public static final String SWITCH_RESTORE = "cutover.switch.restore";
    public static final String SWITCH_DONE = TrafficSide.SWITCH_DONE;
    public static final String ROLLED_BACK = TrafficSide.ROLLED_BACK;

    private final JobExecution execution;
    private final JobRepository repository;

    CutoverRecord(JobExecution execution, JobRepository repository) {
        this.execution = execution;
        this.repository = repository;
    }

    ExecutionContext context() {
        return execution.getExecutionContext();
    }

    String get(String key) {
        return context().containsKey(key) ? String.valueOf(context().get(key)) : null;
    }

    boolean has(String key) {
        return context().containsKey(key);
    }

    /** Sets and persists at once. */
    void put(String key, Object value) {
        set(key, value);
        flush();
    }

    /**
     * Sets in memory only; the next {@link #flush} or {@link #put} persists it. For what a rerun after a crash need
     * not know, so that writes held by the fence do not wait for the job repository (docs/design.md, "The pause").
     */
    void set(String key, Object value) {
        context().put(key, value);
    }

    void flush() {
        repository.updateExecutionContext(execution);
    }

    /**
     * The switch has started (and may have partly happened): from here a rerun finishes instead of rolling back,
     * unless the run was {@linkplain #rolledBack rolled back} (a failed switch).
     */
    public static boolean switchStarted(JobExecution execution) {
        return execution.getExecutionContext().containsKey(SWITCH_RESTORE);
    }

    /** The run was rolled back: the source is primary again and the run's fence, drain and sequences are void. */
    public static boolean rolledBack(JobExecution execution) {
        return execution.getExecutionContext().containsKey(ROLLED_BACK);
    }
}
