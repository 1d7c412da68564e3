package io.livemigrate.scaleout;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.scheduling.TaskScheduler;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;

/**
 * A worker's proof of life: a scheduled task beats the lease of every partition this process is running, independent
 * of how long a chunk takes, so a slow partition is never mistaken for a dead one.
 */
final class LeaseHeartbeat implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LeaseHeartbeat.class);

    private final PartitionLeases leases;
    private final Set<Long> running = ConcurrentHashMap.newKeySet();
    private final ScheduledFuture<?> beating;

    LeaseHeartbeat(PartitionLeases leases, Duration interval, TaskScheduler scheduler) {
        this.leases = leases;
        this.beating = scheduler.scheduleWithFixedDelay(this::beatAll, Instant.now().plus(interval), interval);
    }

    /** Beats for this partition until the returned handle is closed. */
    AutoCloseable track(long stepExecutionId) {
        running.add(stepExecutionId);
        return () -> running.remove(stepExecutionId);
    }

    private void beatAll() {
        for (long id : running) {
            try {
                leases.beat(id);
            }
            catch (RuntimeException e) {
                // Missing beats are what the manager acts on; there is nothing better to do here than say so.
                log.warn("cannot beat the lease of step execution {}: {}", id, e.getMessage());
            }
        }
    }

    /** Stops beating; a round under way finishes, no other starts. */
    @Override
    public void close() {
        beating.cancel(false);
    }
}
