package io.livemigrate.plan;

import java.time.Duration;

/**
 * How a job's partitions run: in this process ({@code local}, the default) or on worker processes that take
 * them from a message broker ({@code remote}).
 *
 * @param remote     partitions go to the broker's queue instead of local threads
 * @param broker     the broker, or null when the plan names none (the command line or environment may)
 * @param queue      the queue of partition requests; null means one queue per plan, see {@link #queueFor}
 * @param heartbeat  how often a worker proves it is still running a partition
 * @param timeout    a partition whose worker has not proved it for this long is failed by the manager
 */
public record WorkerOptions(boolean remote, BrokerAddress broker, String queue, Duration heartbeat,
                            Duration timeout) {

    public static final WorkerOptions DEFAULTS = new WorkerOptions(false, null, null, Duration.ofSeconds(2),
            Duration.ofSeconds(20));

    /** The queue name: as configured, else {@code livemigrate.<plan>} so two migrations never share requests. */
    public String queueFor(String planName) {
        return queue != null ? queue : "livemigrate." + planName;
    }
}
