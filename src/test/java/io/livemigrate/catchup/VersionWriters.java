package io.livemigrate.catchup;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * PostgreSQL writer threads whose every write of a row raises its version by one, so the versions a row passes
 * through on the source are 1, 2, 3...: {@code kv(id, version, code unique, note)} (updates of a few hot rows and
 * many cold ones, new rows, a unique code moved from row to row) and {@code kv_child(id, kv_id references kv,
 * version)} (children moved between parents, new children of parents other transactions inserted), one to three
 * statements per transaction. Records, for each row, the last version a committed
 * transaction gave it (after the commit returned).
 */
final class VersionWriters implements AutoCloseable {

    interface Connector {
        Connection connect() throws SQLException;
    }

    static final String[] DDL = {
        "CREATE TABLE kv (id int PRIMARY KEY, version int NOT NULL, code text UNIQUE, note text)",
        "CREATE TABLE kv_child (id int PRIMARY KEY, kv_id int NOT NULL REFERENCES kv (id), version int NOT NULL)",
        "INSERT INTO kv SELECT g, 1, 'c' || g, 'n' FROM generate_series(1, 400) g",
        "INSERT INTO kv_child SELECT g, 1 + g % 400, 1 FROM generate_series(1, 400) g",
        "ANALYZE"};

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final AtomicLong nextId = new AtomicLong(100_000);
    private final java.util.Deque<Long> parents = new java.util.concurrent.ConcurrentLinkedDeque<>();
    final AtomicLong committed = new AtomicLong();
    /** By table and id, the version the last committed transaction that wrote the row gave it. */
    final Map<String, Integer> acknowledged = new ConcurrentHashMap<>();

    VersionWriters(Connector connector, int count, long seed) {
        for (int i = 0; i < count; i++) {
            Random random = new Random(seed * 7919 + i);
            Thread t = new Thread(() -> run(connector, random), "version-writer-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
    }

    private void run(Connector connector, Random r) {
        try (Connection c = connector.connect()) {
            c.setAutoCommit(false);
            while (running.get()) {
                Map<String, Integer> written = new java.util.HashMap<>();
                try {
                    for (int n = 1 + r.nextInt(3); n > 0; n--) {
                        operation(c, r, written);
                    }
                    c.commit();
                    // per row, transactions commit in the order their row locks let them: the higher version wins
                    written.forEach((k, v) -> acknowledged.merge(k, v, Math::max));
                    written.keySet().stream().filter(k -> k.startsWith("kv:") && written.get(k) == 1)
                            .forEach(k -> parents.addFirst(Long.parseLong(k.substring(3))));
                    committed.incrementAndGet();
                }
                catch (SQLException e) {
                    c.rollback(); // a deadlock or a duplicate code: the application would retry
                }
            }
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private void operation(Connection c, Random r, Map<String, Integer> written) throws SQLException {
        int op = r.nextInt(10);
        if (op < 4) {
            int id = r.nextInt(3) == 0 ? 1 + r.nextInt(10) : 1 + r.nextInt(400);
            version(c, written, "kv", "UPDATE kv SET version = version + 1, note = 'u" + r.nextInt(1000)
                    + "' WHERE id = " + id + " RETURNING id, version");
        }
        else if (op < 6) {
            long id = nextId.incrementAndGet();
            version(c, written, "kv", "INSERT INTO kv VALUES (" + id + ", 1, NULL, 'new') RETURNING id, version");
        }
        else if (op < 8) {
            // a code moves from one row to another: the later transaction must follow the earlier on the target
            int code = 1 + r.nextInt(30);
            int to = 1 + r.nextInt(400);
            version(c, written, "kv", "UPDATE kv SET code = NULL, version = version + 1 WHERE code = 'c" + code
                    + "' RETURNING id, version");
            version(c, written, "kv", "UPDATE kv SET code = 'c" + code + "', version = version + 1 WHERE id = " + to
                    + " AND code IS NULL RETURNING id, version");
        }
        else if (op < 9) {
            int id = 1 + r.nextInt(400);
            version(c, written, "kv_child", "UPDATE kv_child SET version = version + 1, kv_id = "
                    + (1 + r.nextInt(400)) + " WHERE id = " + id + " RETURNING id, version");
        }
        else {
            // a child of a parent another transaction inserted: applied after it on the target
            Long parent = parents.peekFirst();
            long id = nextId.incrementAndGet();
            version(c, written, "kv_child", "INSERT INTO kv_child VALUES (" + id + ", " + (parent == null ? 1 : parent)
                    + ", 1) RETURNING id, version");
        }
    }

    private static void version(Connection c, Map<String, Integer> written, String table, String sql)
            throws SQLException {
        try (Statement st = c.createStatement(); var rs = st.executeQuery(sql)) {
            while (rs.next()) {
                written.put(table + ":" + rs.getLong(1), rs.getInt(2));
            }
        }
    }

    /** Waits until {@code more} transactions beyond now have committed. */
    void awaitMoreCommitted(long more) {
        long target = committed.get() + more;
        org.awaitility.Awaitility.await("writers committing " + more + " more transactions")
                .atMost(java.time.Duration.ofSeconds(120)).pollInterval(java.time.Duration.ofMillis(20))
                .until(() -> committed.get() >= target);
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(10_000);
        }
    }

    /**
     * On the target: a trigger that fires for catch-up's sessions too ({@code ENABLE ALWAYS}: they run as a replica)
     * logs every row version written, so a transaction applied twice shows as a version written again.
     */
    static void auditOnTarget(Connection target) throws SQLException {
        try (Statement st = target.createStatement()) {
            st.execute("CREATE TABLE version_log (seq bigserial PRIMARY KEY, tbl text, id int, version int)");
            st.execute("CREATE FUNCTION log_version() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    + "INSERT INTO version_log (tbl, id, version) VALUES (TG_TABLE_NAME, NEW.id, NEW.version); "
                    + "RETURN NULL; END $$");
            for (String table : new String[] {"kv", "kv_child"}) {
                st.execute("CREATE TRIGGER log_version AFTER INSERT OR UPDATE ON " + table
                        + " FOR EACH ROW EXECUTE FUNCTION log_version()");
                st.execute("ALTER TABLE " + table + " ENABLE ALWAYS TRIGGER log_version");
            }
        }
    }

    /** Row versions the target's log shows written at or below a version written before them: applied twice. */
    static List<String> writtenAgain(Connection target) throws SQLException {
        List<String> again = new ArrayList<>();
        try (PreparedStatement ps = target.prepareStatement("SELECT tbl, id, version, previous FROM (SELECT tbl, id, "
                + "version, max(version) OVER (PARTITION BY tbl, id ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING "
                + "AND 1 PRECEDING) AS previous FROM version_log) v WHERE version <= previous ORDER BY tbl, id");
             var rs = ps.executeQuery()) {
            while (rs.next()) {
                again.add(rs.getString(1) + " " + rs.getInt(2) + ": version " + rs.getInt(3) + " after "
                        + rs.getInt(4));
            }
        }
        return again;
    }
}
