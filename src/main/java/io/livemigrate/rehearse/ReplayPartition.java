package io.livemigrate.rehearse;

import io.livemigrate.ops.Throttle;

/**
 * What one running partition replays with, in whichever process runs it: its execution's stop and matched position
 * ({@link RehearsalExecutions}, joined at the partition's start, left at its end) and the throttle that paces its
 * source statements.
 *
 * <p>The throttle: the command's process runs every partition of a local rehearsal and shares one throttle capped at
 * {@code --rate} among them; a remote worker runs some partitions of a rehearsal whose others run elsewhere, so each
 * of its partitions gets a throttle of its own capped at its share, {@code --rate / --sessions}, and the rehearsal
 * never exceeds {@code --rate} in total however the partitions are spread. Both kinds follow the plan's runtime
 * setting ({@code livemigrate throttle}). Not final: a step-scoped bean, proxied.
 */
class ReplayPartition implements AutoCloseable {

    private final RehearsalExecutions executions;
    private final long jobExecutionId;
    private final RehearsalExecutions.Execution execution;
    private final Throttle throttle;
    private final boolean ownThrottle;

    /** @param ownThrottle whether the throttle is this partition's alone, closed with it */
    ReplayPartition(RehearsalExecutions executions, long jobExecutionId, Throttle throttle, boolean ownThrottle) {
        this.executions = executions;
        this.jobExecutionId = jobExecutionId;
        this.execution = executions.join(jobExecutionId);
        this.throttle = throttle;
        this.ownThrottle = ownThrottle;
    }

    /** The share of {@code rate} (statements/s, 0: none) of one of {@code sessions} partitions; at least one. */
    static long share(long rate, long sessions) {
        return rate <= 0 ? 0 : Math.max(1, rate / Math.max(1, sessions));
    }

    RehearsalStop stop() {
        return execution.stop();
    }

    MatchedPosition matched() {
        return execution.shared().matched();
    }

    Throttle throttle() {
        return throttle;
    }

    @Override
    public void close() {
        if (ownThrottle) {
            throttle.close();
        }
        executions.leave(jobExecutionId);
    }
}
