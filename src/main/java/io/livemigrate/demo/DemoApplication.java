package io.livemigrate.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's application: one thread that, in each transaction, looks the customer up, signs up a customer (an
 * INSERT whose key the server generates) and sets an existing customer's balance, as its own database login; every
 * {@value #ORDERS_READ_EVERY}th transaction also reads that customer's latest orders. Its reads are what the demo's
 * rehearsal replays. Before each transaction it reads
 * the JDBC URL of the primary from a config file (what the cutover's {@code switch: command} rewrites) and
 * reconnects when it changed; after any error (the fence refusing writes or ending its session) it reconnects too.
 *
 * <p>It remembers every write whose commit returned, with its key and the side that acknowledged it, so the demo can
 * prove none was lost: {@link #missingOn} compares them with a primary's rows. Balances written are
 * {@link #BALANCE_BASE} plus an attempt number that only grows, so a later write of a key never looks like an
 * earlier one, and no seeded balance (under 10,000) looks like either.
 */
public final class DemoApplication implements AutoCloseable {

    static final long BALANCE_BASE = 1_000_000;
    static final int ORDERS_READ_EVERY = 10;

    private final Path config;
    private final String user;
    private final String password;
    private final int existingCustomers;
    private final Random random = new Random(17);
    private final AtomicLong attempts = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    /** Per URL: the customers inserted there whose commit returned. */
    private final Map<String, Set<Long>> inserted = new ConcurrentHashMap<>();
    /** Customer id to the balance of its last acknowledged update. */
    private final Map<Long, Long> balances = new ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param config            the file holding the primary's JDBC URL
     * @param existingCustomers balances are set on customers 1 to this
     */
    public DemoApplication(Path config, String user, String password, int existingCustomers) {
        this.config = config;
        this.user = user;
        this.password = password;
        this.existingCustomers = existingCustomers;
        this.thread = new Thread(this::run, "demo-application");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        Connection connection = null;
        String connectedTo = null;
        while (running) {
            String url = primary();
            try {
                if (connection == null || !url.equals(connectedTo)) {
                    closeQuietly(connection);
                    connection = null;
                    connection = DriverManager.getConnection(url, user, password);
                    connection.setAutoCommit(false);
                    connectedTo = url;
                }
                writeOnce(connection, url);
            }
            catch (SQLException e) {
                refused.incrementAndGet();
                closeQuietly(connection);
                connection = null;
            }
            pause(10); // a steady application, not a load test
        }
        closeQuietly(connection);
    }

    private void writeOnce(Connection c, String url) throws SQLException {
        long n = attempts.incrementAndGet();
        long customer = 1 + random.nextInt(existingCustomers);
        long key;
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO customers (email, name, created_at, balance) "
                + "VALUES (?, ?, CURRENT_TIMESTAMP, 0)", new String[] {"id"});
             PreparedStatement update = c.prepareStatement("UPDATE customers SET balance = ? WHERE id = ?")) {
            read(c, "SELECT name, balance FROM customers WHERE id = ?", customer);
            if (n % ORDERS_READ_EVERY == 0) {
                read(c, "SELECT id, status, total FROM orders WHERE customer_id = ? ORDER BY ordered_at DESC, id "
                        + "LIMIT 5", customer);
            }
            insert.setString(1, "app-" + n + "@demo.example");
            insert.setString(2, "Demo customer " + n);
            insert.executeUpdate();
            try (ResultSet keys = insert.getGeneratedKeys()) {
                keys.next();
                key = keys.getLong(1);
            }
            update.setLong(1, BALANCE_BASE + n);
            update.setLong(2, customer);
            update.executeUpdate();
            c.commit();
        }
        catch (SQLException e) {
            try {
                c.rollback();
            }
            catch (SQLException ignored) {
                // the session is gone; the caller reconnects
            }
            throw e;
        }
        inserted.computeIfAbsent(url, u -> ConcurrentHashMap.newKeySet()).add(key);
        balances.merge(customer, BALANCE_BASE + n, Math::max);
    }

    private static void read(Connection c, String sql, long key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rs.getObject(1);
                }
            }
        }
    }

    private String primary() {
        try {
            return Files.readString(config).trim();
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read the application's config " + config, e);
        }
    }

    /** Transactions committed on {@code url} so far. */
    public int committedOn(String url) {
        return inserted.getOrDefault(url, Set.of()).size();
    }

    public long committed() {
        return inserted.values().stream().mapToLong(Set::size).sum();
    }

    /** Attempts that failed (a fenced primary refusing writes, a session ended), each retried. */
    public long refused() {
        return refused.get();
    }

    /** Waits until {@code more} further transactions commit on {@code url}: the application writes there. */
    public void awaitWrites(String url, int more, Duration patience) throws InterruptedException {
        int start = committedOn(url);
        long deadline = System.nanoTime() + patience.toNanos();
        while (committedOn(url) < start + more) {
            if (System.nanoTime() > deadline || !thread.isAlive()) {
                throw new IllegalStateException("the application did not commit " + more + " transactions on " + url
                        + " within " + patience.toSeconds() + " s (its config names " + primary() + "; " + refused()
                        + " attempts failed)");
            }
            Thread.sleep(20);
        }
    }

    /**
     * What of the acknowledged writes {@code primary} lacks, one line each (at most {@code limit}): customers
     * inserted anywhere and missing, and balances older than the last acknowledged update. Empty when all are there.
     */
    public List<String> missingOn(Connection primary, int limit) throws SQLException {
        Map<Long, BigDecimal> rows = new HashMap<>();
        try (Statement st = primary.createStatement(); ResultSet rs = st.executeQuery("SELECT id, balance FROM customers")) {
            while (rs.next()) {
                rows.put(rs.getLong(1), rs.getBigDecimal(2));
            }
        }
        List<String> missing = new ArrayList<>();
        Set<Long> keys = new HashSet<>();
        inserted.values().forEach(keys::addAll);
        for (long key : keys) {
            if (!rows.containsKey(key) && missing.size() < limit) {
                missing.add("customer " + key + " (inserted) is missing");
            }
        }
        for (Map.Entry<Long, Long> e : balances.entrySet()) {
            BigDecimal actual = rows.get(e.getKey());
            if ((actual == null || actual.compareTo(BigDecimal.valueOf(e.getValue())) < 0) && missing.size() < limit) {
                missing.add("customer " + e.getKey() + " has balance " + actual + ", not the " + e.getValue()
                        + " last written");
            }
        }
        return missing;
    }

    /** Balances updated by acknowledged writes (distinct customers). */
    public int updatedCustomers() {
        return balances.size();
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        }
        catch (SQLException ignored) {
            // already broken
        }
    }

    /** Stops writing and waits for the thread to end. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(Duration.ofSeconds(30).toMillis());
    }
}
