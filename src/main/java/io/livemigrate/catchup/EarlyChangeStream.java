package io.livemigrate.catchup;

import io.livemigrate.core.MigrationResources;
import io.livemigrate.core.MigrationTables;
import io.livemigrate.engine.ChangePosition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;

/**
 * A resuming catch-up's change stream, opened before the job's Spring context: the source's replication connection
 * is up and receiving (PostgreSQL: {@link ChangeStream#receiveAhead}; the MySQL binlog client reads on its own thread
 * anyway) while the context starts, about a second in which the source would otherwise sit idle. A backlog drain
 * after a restart is that much shorter.
 *
 * <p>Only for a resume, where the target holds catch-up's position: a first run starts from the copy's position,
 * which is in the job repository. The tasklet takes the stream when it starts from the same position; otherwise (or
 * when nothing takes it) it is closed. Opening it early is only ever an optimisation: any failure here leaves the
 * job to open the stream itself and report what is wrong.
 */
public final class EarlyChangeStream implements AutoCloseable {

    /** Held in memory at most, as received pgoutput messages (a fraction of their decoded size). */
    private static final long RECEIVE_AHEAD_BYTES = 32L << 20;
    private static final Logger log = LoggerFactory.getLogger(EarlyChangeStream.class);

    private final ChangePosition from;
    private ChangeStream stream;

    private EarlyChangeStream(ChangePosition from, ChangeStream stream) {
        this.from = from;
        this.stream = stream;
    }

    /** Opens the stream where the target's catch-up state says, or nothing when there is none or it cannot. */
    public static Optional<EarlyChangeStream> open(MigrationResources resources) {
        try (Connection target = resources.target().getConnection()) {
            target.setAutoCommit(true);
            // (no state table yet: an SQLException, so a first run, as is no row)
            Optional<ChangePosition> applied = CatchupState.read(target, resources.plan().name());
            if (applied.isEmpty()) {
                return Optional.empty();
            }
            CatchupTables tables = CatchupTables.describe(resources, MigrationTables.list(resources).ids(), target);
            ChangeStream stream = resources.engine().openChangeStream(resources.plan().source(), applied.get(),
                    tables.definitions(), resources.plan().captureName());
            stream.receiveAhead(RECEIVE_AHEAD_BYTES);
            return Optional.of(new EarlyChangeStream(applied.get(), stream));
        }
        catch (SQLException | RuntimeException e) {
            log.debug("catch-up opens its change stream after start-up: {}", e.toString());
            return Optional.empty();
        }
    }

    /** The stream, when it starts at {@code position} (once); otherwise it is closed and null returned. */
    synchronized ChangeStream take(ChangePosition position) {
        ChangeStream s = stream;
        stream = null;
        if (s != null && !from.equals(position)) {
            closeQuietly(s);
            return null;
        }
        return s;
    }

    @Override
    public synchronized void close() {
        if (stream != null) {
            closeQuietly(stream);
            stream = null;
        }
    }

    private static void closeQuietly(ChangeStream s) {
        try {
            s.close();
        }
        catch (SQLException e) {
            log.debug("closing the early change stream: {}", e.getMessage());
        }
    }
}
