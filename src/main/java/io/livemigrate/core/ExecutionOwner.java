package io.livemigrate.core;

import org.springframework.batch.core.job.JobExecution;

import java.util.Optional;

/**
 * The process that runs a job execution, as {@link OwnerListener} recorded it, and whether it still runs. A process
 * of this host can be looked up by its pid; one of another host cannot, so nothing here may take it for gone.
 */
public record ExecutionOwner(String host, long pid) {

    /** What can be known from here about the process that runs an execution. */
    public enum State {
        /** A process of this host with the recorded pid runs. */
        RUNNING,
        /** No process of this host has the recorded pid: it was killed or it crashed. */
        GONE,
        /** The owner is a process of another host, which this host cannot see. */
        ELSEWHERE,
        /** No owner was recorded: the process died before it recorded itself, or predates the record. */
        UNRECORDED
    }

    /** Empty when the execution recorded no owner. */
    public static Optional<ExecutionOwner> of(JobExecution execution) {
        var ctx = execution.getExecutionContext();
        if (!ctx.containsKey(OwnerListener.PID_KEY)) {
            return Optional.empty();
        }
        return Optional.of(new ExecutionOwner(ctx.getString(OwnerListener.HOST_KEY, ""),
                ctx.getLong(OwnerListener.PID_KEY)));
    }

    public static State stateOf(JobExecution execution) {
        return of(execution).map(ExecutionOwner::state).orElse(State.UNRECORDED);
    }

    /**
     * Whether a command run again must leave {@code execution} alone: its owner runs, or is on another host. One
     * without a recorded owner counts as abandoned, so running its command again recovers and restarts it.
     */
    public static boolean mayBeRunning(JobExecution execution) {
        State state = stateOf(execution);
        return state == State.RUNNING || state == State.ELSEWHERE;
    }

    public State state() {
        if (!host.equals(OwnerListener.hostName())) {
            return State.ELSEWHERE;
        }
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) ? State.RUNNING : State.GONE;
    }

    @Override
    public String toString() {
        return "process " + pid + " on " + (host.equals(OwnerListener.hostName()) ? "this host" : "host " + host);
    }
}
