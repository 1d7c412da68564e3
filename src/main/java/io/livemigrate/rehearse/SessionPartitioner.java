package io.livemigrate.rehearse;

import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.infrastructure.item.ExecutionContext;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Splits the log's sessions into {@code --sessions} groups by a hash of the session id, one partition each, so a
 * session's statements stay in one thread, in log order, and at most that many statements run on the source at once.
 * Each partition's context also holds the log's {@link LogIdentity} as the manager sees it, which the process that
 * runs the partition (perhaps a remote worker, perhaps a later run resuming it) checks before reading.
 */
final class SessionPartitioner implements Partitioner {

    static final String INDEX_KEY = "rehearse.partition";
    static final String COUNT_KEY = "rehearse.partitions";
    static final String LOG_IDENTITY_KEY = "rehearse.log-identity";

    private final int sessions;
    private final Supplier<LogIdentity> log;

    SessionPartitioner(int sessions, Supplier<LogIdentity> log) {
        this.sessions = sessions;
        this.log = log;
    }

    @Override
    public Map<String, ExecutionContext> partition(int gridSize) {
        String identity = log.get().encode();
        Map<String, ExecutionContext> partitions = new LinkedHashMap<>();
        for (int i = 0; i < sessions; i++) {
            ExecutionContext ctx = new ExecutionContext();
            ctx.putInt(INDEX_KEY, i);
            ctx.putInt(COUNT_KEY, sessions);
            ctx.putString(LOG_IDENTITY_KEY, identity);
            partitions.put(String.format("sessions%04d", i), ctx);
        }
        return partitions;
    }

    static boolean mine(String session, int index, int count) {
        return Math.floorMod(session.hashCode(), count) == index;
    }
}
