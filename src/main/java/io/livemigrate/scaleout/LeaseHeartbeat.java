package io.livemigrate.scaleout;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A worker's proof of life: one thread beats the lease of every partition this process is running, independent
 * of how long a chunk takes, so a slow partition is never mistaken for a dead one.
 */
final class LeaseHeartbeat implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(LeaseHeartbeat.class);

    private final PartitionLeases leases;
    private final Set<Long> running = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lease-heartbeat");
        t.setDaemon(true);
        return t;
    });

    LeaseHeartbeat(PartitionLeases leases, Duration interval) {
        this.leases = leases;
        scheduler.scheduleWithFixedDelay(this::beatAll, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
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

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
