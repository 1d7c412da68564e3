package io.livemigrate.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The application of a cutover test: a thread inserting rows, as the application's database role, into whichever
 * database an application config file names (what a {@code switch: command} script rewrites). Like a real client
 * it reconnects after any error (a fence ends its sessions and refuses its writes) and reads the config only when it
 * connects; it checks the config again once connected, so a session opened while the switch rewrote it is not
 * used. It remembers every insert whose commit returned, per database: the acknowledged writes a cutover must keep.
 */
public final class AppWriter implements AutoCloseable {

    private final Function<String, String> urlOfDatabase;
    private final String user;
    private final String password;
    private final Path config;
    private final String insert;
    private final Map<String, Set<Long>> acknowledged = new ConcurrentHashMap<>();
    private final AtomicLong refused = new AtomicLong();
    private final Thread thread;
    private volatile boolean running = true;

    /**
     * @param insert an INSERT of one row whose first generated column is its key, e.g.
     *               {@code INSERT INTO orders (note) VALUES ('app')}
     */
    public AppWriter(Function<String, String> urlOfDatabase, String user, String password, Path config, String insert) {
        this.urlOfDatabase = urlOfDatabase;
        this.user = user;
        this.password = password;
        this.config = config;
        this.insert = insert;
        this.thread = new Thread(this::run, "app-writer");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (running) {
            String database = primary();
            try (Connection c = DriverManager.getConnection(urlOfDatabase.apply(database), user, password)) {
                if (!database.equals(primary())) {
                    continue;
                }
                Set<Long> acks = acknowledged.computeIfAbsent(database, d -> ConcurrentHashMap.newKeySet());
                try (PreparedStatement ps = c.prepareStatement(insert, Statement.RETURN_GENERATED_KEYS)) {
                    while (running) {
                        ps.executeUpdate();
                        try (ResultSet keys = ps.getGeneratedKeys()) {
                            keys.next();
                            acks.add(keys.getLong(1));
                        }
                        pause(); // a steady application, not a load test: the machine is shared
                    }
                }
            }
            catch (SQLException e) {
                refused.incrementAndGet();
                pause();
            }
        }
    }

    private String primary() {
        try {
            return Files.readString(config).trim();
        }
        catch (IOException e) {
            throw new IllegalStateException("cannot read the application config " + config, e);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(5);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The inserts acknowledged on {@code database} so far. */
    public Set<Long> acknowledged(String database) {
        return new HashSet<>(acknowledged.getOrDefault(database, Set.of()));
    }

    /** How many times a connection or a write failed (the fence at work), so far. */
    public long refused() {
        return refused.get();
    }

    /** Waits until {@code more} further inserts are acknowledged on {@code database}: the application writes there. */
    public void awaitWrites(String database, int more, Duration patience) throws InterruptedException {
        int start = acknowledged(database).size();
        long deadline = System.nanoTime() + patience.toNanos();
        while (acknowledged(database).size() < start + more) {
            if (System.nanoTime() > deadline || !thread.isAlive()) {
                throw new AssertionError("the application did not write " + more + " rows to " + database + " (config "
                        + "names " + primary() + ", " + refused() + " refused attempts)");
            }
            Thread.sleep(20);
        }
    }

    /** Stops writing and waits for the thread to end. */
    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(Duration.ofSeconds(30).toMillis());
    }
}
