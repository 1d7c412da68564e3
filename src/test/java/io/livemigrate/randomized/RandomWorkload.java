package io.livemigrate.randomized;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An application writing to a random schema: inserts, updates of a few columns, large values, key moves, unique-value
 * swaps, deletes (cascading where the schema says so), range deletes and the odd truncate, one to three of them per
 * transaction, from a seed. Statements the source refuses (a duplicate, a missing parent) roll their transaction back,
 * as an application's would.
 */
final class RandomWorkload implements AutoCloseable {

    interface Connector {
        Connection connect() throws SQLException;
    }

    static final int INITIAL_ROWS = 300;
    private static final int KEY_SPACE = 2 * INITIAL_ROWS;

    private final RandomSchema schema;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final Map<String, AtomicLong> identityHigh = new ConcurrentHashMap<>();
    private final Map<String, AtomicBoolean> truncated = new ConcurrentHashMap<>();
    final AtomicLong committed = new AtomicLong();
    final AtomicLong refused = new AtomicLong();
    private volatile Throwable failure;

    RandomWorkload(RandomSchema schema) {
        this.schema = schema;
        for (TableSpec t : schema.tables) {
            identityHigh.put(t.name(), new AtomicLong(INITIAL_ROWS));
            truncated.put(t.name(), new AtomicBoolean());
        }
    }

    /** Fills every table with {@link #INITIAL_ROWS} rows, parents first. */
    void load(Connection c, long seed) throws SQLException {
        Random r = new Random(seed);
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            for (TableSpec t : schema.tables) {
                for (int i = 1; i <= INITIAL_ROWS; i++) {
                    st.execute(insert(t, r, i));
                }
                c.commit();
            }
        }
        c.setAutoCommit(true);
    }

    /** Starts {@code count} writer threads. */
    RandomWorkload start(Connector connector, int count, long seed) {
        for (int i = 0; i < count; i++) {
            Random r = new Random(seed * 1_000_003 + i);
            Thread t = new Thread(() -> run(connector, r), "random-writer-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        return this;
    }

    private void run(Connector connector, Random r) {
        try (Connection c = connector.connect(); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            while (running.get()) {
                try {
                    int ops = 1 + r.nextInt(3);
                    for (int i = 0; i < ops; i++) {
                        for (String sql : operation(r)) {
                            st.execute(sql);
                        }
                    }
                    c.commit();
                    committed.incrementAndGet();
                }
                catch (SQLException refusedBySource) {
                    c.rollback();
                    refused.incrementAndGet();
                }
            }
        }
        catch (Throwable e) {
            failure = e;
        }
    }

    /** The statements of one random operation. */
    List<String> operation(Random r) {
        TableSpec t = schema.tables.get(r.nextInt(schema.tables.size()));
        int dice = r.nextInt(1000);
        if (dice < 300) {
            return List.of(insert(t, r, -1));
        }
        if (dice < 530) {
            return List.of(update(t, r, false));
        }
        if (dice < 600) {
            return List.of(update(t, r, true));
        }
        if (dice < 680) {
            return List.of(keyMove(t, r));
        }
        if (dice < 740 && t.unique()) {
            return uniqueSwap(t, r);
        }
        if (dice < 930) {
            return List.of("DELETE FROM " + t.name() + " WHERE " + existingKey(t, r));
        }
        if (dice < 997 || !t.hasId()) {
            long from = 1 + r.nextInt(KEY_SPACE);
            return List.of(t.hasId() ? "DELETE FROM " + t.name() + " WHERE id BETWEEN " + from + " AND " + (from + 4)
                    : "DELETE FROM " + t.name() + " WHERE " + existingKey(t, r));
        }
        if (!schema.referenced(t) && truncated.get(t.name()).compareAndSet(false, true)) {
            return List.of(schema.flavor.truncate(t.name()));
        }
        return List.of(insert(t, r, -1));
    }

    private String insert(TableSpec t, Random r, long initialId) {
        List<String> columns = new ArrayList<>();
        List<String> values = new ArrayList<>();
        switch (t.key()) {
            case INT -> {
                columns.add("id");
                values.add(Long.toString(initialId > 0 ? initialId : 1 + r.nextInt(KEY_SPACE)));
            }
            case IDENTITY -> identityHigh.get(t.name()).incrementAndGet();
            case COMPOSITE -> {
                columns.add("a");
                columns.add("b");
                long n = initialId > 0 ? initialId : 1 + r.nextInt(KEY_SPACE);
                values.add(Long.toString(n / 3 + 1));
                values.add("'" + "xyz".charAt((int) (n % 3)) + "'");
            }
            case TEXT -> {
                columns.add("k");
                values.add("'key-" + (initialId > 0 ? initialId : 1 + r.nextInt(KEY_SPACE)) + "'");
            }
        }
        for (TableSpec.Column c : t.columns()) {
            columns.add(c.name());
            values.add(value(c, r));
        }
        if (t.unique()) {
            columns.add("u");
            values.add(initialId > 0 ? "'u" + initialId + "'" : uniqueValue(r));
        }
        if (t.parent() != null) {
            columns.add("parent_id");
            values.add(initialId > 0 ? Long.toString(1 + r.nextInt(INITIAL_ROWS)) : parentValue(r));
        }
        return schema.flavor.insertIgnoring(t.name(), String.join(", ", columns), String.join(", ", values),
                t.keyColumns().get(0));
    }

    private String update(TableSpec t, Random r, boolean references) {
        List<String> sets = new ArrayList<>();
        if (references && (t.unique() || t.parent() != null)) {
            if (t.unique() && (t.parent() == null || r.nextBoolean())) {
                sets.add("u = " + uniqueValue(r));
            }
            else {
                sets.add("parent_id = " + parentValue(r));
            }
        }
        else {
            int n = 1 + r.nextInt(Math.min(3, t.columns().size()));
            for (int i = 0; i < n; i++) {
                TableSpec.Column c = t.columns().get(r.nextInt(t.columns().size()));
                sets.add(c.name() + " = " + value(c, r));
            }
        }
        return "UPDATE " + t.name() + " SET " + String.join(", ", sets) + " WHERE " + existingKey(t, r);
    }

    private String keyMove(TableSpec t, Random r) {
        return switch (t.key()) {
            case INT -> "UPDATE " + t.name() + " SET id = " + (1 + r.nextInt(KEY_SPACE)) + " WHERE " + existingKey(t, r);
            case IDENTITY -> {
                long high = identityHigh.get(t.name()).get();
                yield schema.flavor.identityKeyMove(t.name(), 1 + r.nextInt((int) high), high + 1 + r.nextInt(50),
                        t.always());
            }
            case COMPOSITE -> "UPDATE " + t.name() + " SET a = " + (1 + r.nextInt(KEY_SPACE / 3)) + " WHERE "
                    + existingKey(t, r);
            case TEXT -> "UPDATE " + t.name() + " SET k = 'key-" + (1 + r.nextInt(KEY_SPACE)) + "' WHERE "
                    + existingKey(t, r);
        };
    }

    /** Two rows trade unique values through a free one, in one transaction (as the constraint requires). */
    private List<String> uniqueSwap(TableSpec t, Random r) {
        String a = uniqueValue(r);
        String b = uniqueValue(r);
        if (a.equals("NULL") || b.equals("NULL") || a.equals(b)) {
            return List.of(update(t, r, true));
        }
        String free = "'swap-" + r.nextInt(1_000_000) + "'";
        return List.of("UPDATE " + t.name() + " SET u = " + free + " WHERE u = " + a,
                "UPDATE " + t.name() + " SET u = " + a + " WHERE u = " + b,
                "UPDATE " + t.name() + " SET u = " + b + " WHERE u = " + free);
    }

    private String existingKey(TableSpec t, Random r) {
        return switch (t.key()) {
            case INT -> "id = " + (1 + r.nextInt(KEY_SPACE));
            case IDENTITY -> "id = " + (1 + r.nextInt((int) identityHigh.get(t.name()).get()));
            case COMPOSITE -> {
                long n = 1 + r.nextInt(KEY_SPACE);
                yield "a = " + (n / 3 + 1) + " AND b = '" + "xyz".charAt((int) (n % 3)) + "'";
            }
            case TEXT -> "k = 'key-" + (1 + r.nextInt(KEY_SPACE)) + "'";
        };
    }

    private static String value(TableSpec.Column c, Random r) {
        return c.nullable() && r.nextInt(6) == 0 ? "NULL" : c.type().literal().apply(r);
    }

    private static String uniqueValue(Random r) {
        return r.nextInt(8) == 0 ? "NULL" : "'u" + r.nextInt(KEY_SPACE) + "'";
    }

    private static String parentValue(Random r) {
        return r.nextInt(8) == 0 ? "NULL" : Long.toString(1 + r.nextInt(INITIAL_ROWS + 40));
    }

    /** Waits until {@code more} transactions beyond now have committed. */
    void awaitCommitted(long more) throws InterruptedException {
        long target = committed.get() + more;
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(120);
        while (committed.get() < target) {
            if (failure != null) {
                throw new AssertionError("the workload failed", failure);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the workload committed only " + committed.get() + " of " + target
                        + " transactions in 120 s (" + refused.get() + " refused)");
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(30_000);
        }
        if (failure != null) {
            throw new AssertionError("the workload failed", failure);
        }
    }
}
