package io.livemigrate.testing;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An application writing throughout a cutover: client threads each run one autocommit INSERT with a generated key
 * at a fixed rate, and record every insert the server acknowledged (its key, when it was sent and acknowledged) and
 * every one that failed (when it was sent and when it failed). A connection that failed is dropped and a new one
 * opened for the next insert, as a connection pool evicts broken connections; a proxy decides where it goes.
 */
public final class AcknowledgedInserts implements AutoCloseable {

    @FunctionalInterface
    public interface Connector {
        Connection connect() throws SQLException;
    }

    public record Ack(long id, long sentMillis, long ackedMillis) {
    }

    public record Failure(long sentMillis, long failedMillis, String error) {
        public boolean overlaps(long fromMillis, long toMillis) {
            return sentMillis <= toMillis && failedMillis >= fromMillis;
        }
    }

    private final Connector connector;
    private final String insertSql;
    private final long intervalNanos;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final Queue<Ack> acks = new ConcurrentLinkedQueue<>();
    private final Queue<Failure> failures = new ConcurrentLinkedQueue<>();

    /**
     * @param insertSql one INSERT of one row with one {@code ?} for the client number, whose generated key is the
     *                  row's identity
     */
    public AcknowledgedInserts(Connector connector, String insertSql, int clients, int perSecondPerClient) {
        this.connector = connector;
        this.insertSql = insertSql;
        this.intervalNanos = TimeUnit.SECONDS.toNanos(1) / perSecondPerClient;
        for (int i = 0; i < clients; i++) {
            int client = i + 1;
            Thread t = new Thread(() -> run(client), "inserter-" + client);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    /**
     * Each client keeps its schedule (one insert per interval, as a fixed-rate benchmark does): a late insert is
     * followed by the next at once rather than after a full interval.
     */
    private void run(int client) {
        Connection c = null;
        long next = System.nanoTime();
        while (running.get()) {
            long sent = System.currentTimeMillis();
            try {
                if (c == null) {
                    c = connector.connect();
                    c.setAutoCommit(true);
                }
                try (PreparedStatement ps = c.prepareStatement(insertSql, Statement.RETURN_GENERATED_KEYS)) {
                    ps.setInt(1, client);
                    ps.executeUpdate();
                    try (ResultSet keys = ps.getGeneratedKeys()) {
                        keys.next();
                        acks.add(new Ack(keys.getLong(1), sent, System.currentTimeMillis()));
                    }
                }
            }
            catch (SQLException e) {
                failures.add(new Failure(sent, System.currentTimeMillis(), e.getErrorCode() + " " + e.getMessage()));
                closeQuietly(c);
                c = null;
            }
            next += intervalNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        closeQuietly(c);
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        }
        catch (SQLException alreadyBroken) {
            // it failed already; nothing to release
        }
    }

    /** Waits until at least {@code count} inserts have been acknowledged in all (or fails after two minutes). */
    public void awaitAcks(long count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (acks.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + acks.size() + " of " + count + " inserts acknowledged; failures: "
                        + failures.stream().limit(5).toList());
            }
            Thread.sleep(10);
        }
    }

    /** Waits until {@code count} more inserts sent after now have been acknowledged. */
    public void awaitAcksSentAfter(long sinceMillis, long count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (acks.stream().filter(a -> a.sentMillis() > sinceMillis).count() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("fewer than " + count + " inserts acknowledged after " + sinceMillis
                        + "; failures: " + failures.stream().limit(5).toList());
            }
            Thread.sleep(10);
        }
    }

    public List<Ack> acks() {
        return List.copyOf(acks);
    }

    public List<Failure> failures() {
        return List.copyOf(failures);
    }

    /** Stops the clients after their current insert and waits for them. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
    }
}
