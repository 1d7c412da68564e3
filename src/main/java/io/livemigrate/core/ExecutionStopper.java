package io.livemigrate.core;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;

import java.time.Duration;

/**
 * Ends a job execution that another process runs (the plan's catch-up, for {@code stop} and the cutover's step 9):
 * asks it to stop, and waits until it has ended.
 *
 * <p>Ended means the job and every one of its step executions no longer run. Spring Batch 6's {@code JobOperator.stop}
 * writes the job execution STOPPED at once (it sets the end time, and the repository turns a STOPPING execution with
 * an end time into STOPPED), while the process that runs it goes on until its step ends: a catch-up first finishes
 * its source transaction. An execution whose process on this host is gone (kill -9, a crash) can never end by itself:
 * it is recovered at once ({@code JobOperator.recover} marks it and its running steps FAILED, as a command run again
 * does before it restarts a dead job), so the next run of that job resumes it. An execution whose owner is on another
 * host, or not recorded, cannot be checked from here: it gets the bounded wait.
 */
public final class ExecutionStopper {

    private static final long POLL_MILLIS = 100;

    private final JobOperator operator;
    private final JobRepository repository;

    public ExecutionStopper(JobOperator operator, JobRepository repository) {
        this.operator = operator;
        this.repository = repository;
    }

    /** What became of the execution. */
    public enum Result {
        /** It had ended before: nothing was asked. */
        NOT_RUNNING,
        /** The stop is asked for; nobody waited for it (only from {@link #request}). */
        REQUESTED,
        /** It ended, as its process stopped it. */
        ENDED,
        /** Its process on this host is gone: the execution is recovered, now FAILED. */
        OWNER_GONE,
        /** It had not ended when the wait ran out. */
        STILL_RUNNING
    }

    /**
     * @param execution as last read from the repository
     * @param owner     what could be known of its process at that read
     */
    public record Outcome(Result result, JobExecution execution, ExecutionOwner.State owner) {

        /** The recorded owner, for messages: "process 123 on this host"; empty when none was recorded. */
        public String ownerText() {
            return ExecutionOwner.of(execution).map(ExecutionOwner::toString).orElse("");
        }
    }

    public static boolean ended(JobExecution execution) {
        return !execution.getStatus().isRunning()
                && execution.getStepExecutions().stream().noneMatch(step -> step.getStatus().isRunning());
    }

    /** Asks for the stop (or recovers an execution whose process is gone) without waiting. */
    public Outcome request(JobExecution execution) throws Exception {
        ExecutionOwner.State owner = ExecutionOwner.stateOf(execution);
        if (ended(execution)) {
            return new Outcome(Result.NOT_RUNNING, execution, owner);
        }
        if (owner == ExecutionOwner.State.GONE) {
            return recovered(execution);
        }
        // Asked before (the job already reads STOPPING or STOPPED), JobOperator.stop would refuse it.
        if (execution.getStatus() == BatchStatus.STARTED || execution.getStatus() == BatchStatus.STARTING) {
            operator.stop(execution);
        }
        return new Outcome(Result.REQUESTED, execution, owner);
    }

    /** Asks for the stop and waits up to {@code timeout} for the end, looking at the owner at every read. */
    public Outcome stop(JobExecution execution, Duration timeout) throws Exception {
        Outcome requested = request(execution);
        if (requested.result() != Result.REQUESTED) {
            return requested;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JobExecution now = repository.getJobExecution(execution.getId());
            if (now == null || ended(now)) {
                return endedAs(now == null ? execution : now);
            }
            ExecutionOwner.State owner = ExecutionOwner.stateOf(now);
            if (owner == ExecutionOwner.State.GONE) {
                return recovered(now);
            }
            if (System.nanoTime() >= deadline) {
                return new Outcome(Result.STILL_RUNNING, now, owner);
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    private static Outcome endedAs(JobExecution execution) {
        return new Outcome(Result.ENDED, execution, ExecutionOwner.stateOf(execution));
    }

    /**
     * Read once more with its process gone, so the read is final: a process that ended the execution itself and
     * exited between the last read and the look at its pid is not marked FAILED.
     */
    private Outcome recovered(JobExecution execution) {
        JobExecution last = repository.getJobExecution(execution.getId());
        if (last == null || ended(last)) {
            return endedAs(last == null ? execution : last);
        }
        return new Outcome(Result.OWNER_GONE, operator.recover(last), ExecutionOwner.State.GONE);
    }
}
