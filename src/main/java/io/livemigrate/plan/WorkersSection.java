package io.livemigrate.plan;

import java.time.Duration;
import java.util.Set;

/** Reads and validates a plan's optional {@code workers} section (scale-out through a message broker). */
final class WorkersSection {

    private static final Set<String> KEYS = Set.of("mode", "broker", "queue", "heartbeat", "timeout");
    private static final Duration MAX = Duration.ofHours(1);
    /** The broker password when the broker URI has none, so it stays out of plans and command lines. */
    static final String BROKER_PASSWORD_VARIABLE = "LIVEMIGRATE_BROKER_PASSWORD";

    private WorkersSection() {
    }

    static WorkerOptions read(YamlSection s) {
        s.allowOnly(KEYS);
        WorkerOptions d = WorkerOptions.DEFAULTS;
        String mode = s.optionalString("mode", "local");
        if (!mode.equals("local") && !mode.equals("remote")) {
            throw s.problem("mode", "'" + mode + "' is not one of [local, remote]");
        }
        BrokerAddress broker = null;
        if (s.has("broker")) {
            try {
                broker = BrokerAddress.parse(s.requiredString("broker"), System.getenv(BROKER_PASSWORD_VARIABLE));
            }
            catch (IllegalArgumentException e) {
                throw s.problem("broker", e.getMessage());
            }
        }
        String queue = s.has("queue") ? s.requiredString("queue") : null;
        if (queue != null && !queue.matches("[A-Za-z0-9_.:-]{1,200}")) {
            throw s.problem("queue", "'" + queue + "' is not a queue name; use letters, digits, '.', '_', ':' or '-'");
        }
        Duration heartbeat = s.optionalDuration("heartbeat", d.heartbeat(), MAX);
        Duration timeout = s.optionalDuration("timeout", d.timeout(), MAX);
        if (timeout.compareTo(heartbeat.multipliedBy(3)) < 0) {
            throw s.problem("timeout", "must be at least 3 heartbeats (" + heartbeat.multipliedBy(3).toSeconds()
                    + "s), or a busy worker would be declared dead");
        }
        return new WorkerOptions(mode.equals("remote"), broker, queue, heartbeat, timeout);
    }
}
