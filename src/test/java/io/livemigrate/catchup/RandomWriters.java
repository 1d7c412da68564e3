package io.livemigrate.catchup;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writer threads doing random inserts, updates (small columns only, so large values stay unchanged TOAST; large
 * values; key changes) and deletes on {@code items(id bigint primary key, k int, payload text, b bytea)}, some in
 * multi-statement transactions. PostgreSQL or MySQL/MariaDB SQL.
 */
final class RandomWriters implements AutoCloseable {

    interface Connector {
        Connection connect() throws SQLException;
    }

    static final String DDL = "CREATE TABLE items (id bigint PRIMARY KEY, k int NOT NULL, payload text, b bytea, "
            + "note varchar(20))";
    static final String MYSQL_DDL = "CREATE TABLE items (id bigint PRIMARY KEY, k int NOT NULL, payload mediumtext, "
            + "b varbinary(64), note varchar(20)) DEFAULT CHARSET=utf8mb4";
    private static final String INSERT = "INSERT INTO items (id, k, payload, b, note) VALUES (?, ?, ?, ?, ?)";

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    final AtomicLong operations = new AtomicLong();

    private final String insert;

    RandomWriters(Connector connector, int count, long seed) {
        this(connector, count, seed, false);
    }

    RandomWriters(Connector connector, int count, long seed, boolean mysql) {
        this.insert = mysql ? INSERT.replace("INSERT", "INSERT IGNORE") : INSERT + " ON CONFLICT (id) DO NOTHING";
        for (int i = 0; i < count; i++) {
            Random random = new Random(seed * 31 + i);
            Thread t = new Thread(() -> run(connector, random), "writer-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    static String payload(Random r) {
        if (r.nextInt(4) > 0) {
            return r.nextInt(10) == 0 ? null : "p" + r.nextInt(1000) + " 'q' \\ é";
        }
        StringBuilder sb = new StringBuilder(12_000);
        while (sb.length() < 12_000) {
            sb.append(Long.toHexString(r.nextLong()));
        }
        return sb.toString();
    }

    private void run(Connector connector, Random r) {
        try (Connection c = connector.connect()) {
            while (running.get()) {
                boolean txn = r.nextInt(5) == 0;
                c.setAutoCommit(!txn);
                try {
                    int ops = txn ? 1 + r.nextInt(5) : 1;
                    for (int i = 0; i < ops; i++) {
                        operation(c, r);
                    }
                    if (txn) {
                        c.commit();
                    }
                }
                catch (SQLException e) {
                    if (txn) {
                        c.rollback();
                    }
                }
                operations.incrementAndGet();
            }
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void operation(Connection c, Random r) throws SQLException {
        long id = 1 + r.nextInt(3000);
        int op = r.nextInt(10);
        String sql = switch (op) {
            case 0, 1, 2 -> insert;
            case 3, 4 -> "UPDATE items SET k = k + 1, note = ? WHERE id = ?";
            case 5 -> "UPDATE items SET payload = ? WHERE id = ?";
            case 6 -> "UPDATE items SET id = ? WHERE id = ?";
            default -> "DELETE FROM items WHERE id = ?";
        };
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            switch (op) {
                case 0, 1, 2 -> {
                    ps.setLong(1, id);
                    ps.setInt(2, r.nextInt(100));
                    ps.setString(3, payload(r));
                    byte[] b = new byte[r.nextInt(20)];
                    r.nextBytes(b);
                    ps.setBytes(4, r.nextInt(5) == 0 ? null : b);
                    ps.setString(5, "n" + r.nextInt(50));
                }
                case 3, 4 -> {
                    ps.setString(1, r.nextInt(3) == 0 ? null : "u" + r.nextInt(99));
                    ps.setLong(2, id);
                }
                case 5 -> {
                    ps.setString(1, payload(r));
                    ps.setLong(2, id);
                }
                case 6 -> {
                    ps.setLong(1, 1 + r.nextInt(3000));
                    ps.setLong(2, id);
                }
                default -> ps.setLong(1, id);
            }
            ps.executeUpdate();
        }
    }

    /** Waits until the writers have done {@code more} operations beyond now (the load really ran meanwhile). */
    void awaitMoreOperations(long more) throws InterruptedException {
        long target = operations.get() + more;
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
        while (operations.get() < target) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("writers did only " + operations.get() + " of " + target + " operations in 120 s");
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(10_000);
        }
    }
}
