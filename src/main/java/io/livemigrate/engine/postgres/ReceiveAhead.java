package io.livemigrate.engine.postgres;

import org.postgresql.replication.PGReplicationStream;

import java.nio.ByteBuffer;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;

/**
 * Receives a replication stream's messages on a thread of its own before its owner is ready to decode them, so the
 * walsender decodes the backlog while catch-up is still starting (its Spring context takes about a second) instead
 * of waiting on a full socket. Holds at most {@code maxBytes} of messages, then leaves the rest to the socket. The
 * owner takes over with {@link #stop}; from then on only the owner touches the stream.
 *
 * <p>Messages are kept as received (PgJDBC gives each its own array), not decoded: decoding needs the owner's
 * catalog connection, and raw pgoutput is a fraction of the size of decoded changes.
 */
final class ReceiveAhead {

    /** Between polls of an empty socket: the walsender is still reading WAL, or the source is quiet. */
    private static final long IDLE_PARK_NANOS = 1_000_000L;

    private final PGReplicationStream stream;
    private final long maxBytes;
    private final ArrayDeque<ByteBuffer> messages = new ArrayDeque<>();
    private final Thread thread;
    private volatile boolean stopping;
    private SQLException failure;

    private ReceiveAhead(PGReplicationStream stream, long maxBytes) {
        this.stream = stream;
        this.maxBytes = maxBytes;
        this.thread = new Thread(this::receive, "catchup-receive-ahead");
        thread.setDaemon(true);
    }

    static ReceiveAhead start(PGReplicationStream stream, long maxBytes) {
        ReceiveAhead ahead = new ReceiveAhead(stream, maxBytes);
        ahead.thread.start();
        return ahead;
    }

    private void receive() {
        long held = 0;
        try {
            while (!stopping && held < maxBytes) {
                ByteBuffer message = stream.readPending();
                if (message == null) {
                    LockSupport.parkNanos(IDLE_PARK_NANOS);
                }
                else {
                    messages.add(message);
                    held += message.remaining();
                }
            }
        }
        catch (SQLException e) {
            failure = e;
        }
    }

    /** Ends receiving (waits for the thread): the messages received, in order; a failure of the stream is thrown. */
    ArrayDeque<ByteBuffer> stop() throws SQLException {
        stopping = true;
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            }
            catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw failure;
        }
        return messages;
    }
}
