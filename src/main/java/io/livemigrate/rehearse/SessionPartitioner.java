package io.livemigrate.rehearse;

import org.springframework.batch.core.partition.Partitioner;
import org.springframework.batch.infrastructure.item.ExecutionContext;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Splits the log's sessions into {@code --sessions} groups by a hash of the session id, one partition each, so a
 * session's statements stay in one thread, in log order, and at most that many statements run on the source at once.
 */
final class SessionPartitioner implements Partitioner {

    static final String INDEX_KEY = "rehearse.partition";
    static final String COUNT_KEY = "rehearse.partitions";

    private final int sessions;

    SessionPartitioner(int sessions) {
        this.sessions = sessions;
    }

    @Override
    public Map<String, ExecutionContext> partition(int gridSize) {
        Map<String, ExecutionContext> partitions = new LinkedHashMap<>();
        for (int i = 0; i < sessions; i++) {
            ExecutionContext ctx = new ExecutionContext();
            ctx.putInt(INDEX_KEY, i);
            ctx.putInt(COUNT_KEY, sessions);
            partitions.put(String.format("sessions%04d", i), ctx);
        }
        return partitions;
    }

    static boolean mine(String session, int index, int count) {
        return Math.floorMod(session.hashCode(), count) == index;
    }
}
