package io.livemigrate.catchup;

import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TableContents;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.LongStream;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The copy is not a snapshot (docs/design.md, rule 2): it may read each row at any moment after the change-capture
 * position, so catch-up replays changes over rows the target already holds in a later state, even a later life of
 * the key (deleted, then inserted again or moved in). Updates that leave large values unchanged (pgoutput sends no
 * value for them: unchanged TOAST) must still converge, including key changes, which move such a value to another
 * key. Each seed writes a random history on few keys, gives every target row the state the source had at a random
 * moment of that history, replays, and expects the source's final rows exactly.
 */
class ToastReplayTest {

    /** Seed 52 moved another life's value to a moved row's key before the fix; it stays. */
    static LongStream seeds() {
        return LongStream.concat(LongStream.rangeClosed(1, 24), LongStream.of(52));
    }

    @TempDir
    Path dir;

    @ParameterizedTest
    @MethodSource("seeds")
    void replayOverLaterRowStatesConverges(long seed) throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.postgres(), dir, "toast" + seed)
                .copyOptions("{ threads: 1, chunk-rows: 100, partition-rows: 1000 }");
        Random r = new Random(seed);
        try (Connection s = m.source()) {
            // EXTERNAL: large values are stored out of line uncompressed, so every one is a TOAST value
            execute(s, "CREATE TABLE items (id int PRIMARY KEY, k int NOT NULL, payload text)",
                    "ALTER TABLE items ALTER payload SET STORAGE EXTERNAL");
            // rows older than the copy's position: the stream has no image of them before their first update
            try (PreparedStatement ps = s.prepareStatement("INSERT INTO items VALUES (?, 0, ?)")) {
                for (int id = 1; id <= KEYS; id += 1 + r.nextInt(2)) {
                    ps.setInt(1, id);
                    ps.setString(2, payload(r));
                    ps.executeUpdate();
                }
            }
        }
        assertThat(m.run("copy")).as(m.output()).isZero();
        List<Map<Integer, String>> history = new ArrayList<>();
        try (Connection s = m.source()) {
            history.add(rows(s));
            for (int txn = 2 + r.nextInt(10); txn > 0; txn--) {
                s.setAutoCommit(false);
                int statements = 1 + r.nextInt(4);
                for (int i = 0; i < statements; i++) {
                    write(s, r);
                }
                s.commit();
                history.add(rows(s));
            }
            s.setAutoCommit(true);
        }
        try (Connection t = m.target()) {
            execute(t, "DELETE FROM items");
            try (PreparedStatement ps = t.prepareStatement("INSERT INTO items SELECT (i).* FROM "
                    + "(SELECT ?::items AS i) x")) {
                for (int id = 1; id <= KEYS; id++) {
                    String row = history.get(r.nextInt(history.size())).get(id);
                    if (row != null) {
                        ps.setString(1, row);
                        ps.executeUpdate();
                    }
                }
            }
        }
        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
        try (Connection s = m.source(); Connection t = m.target()) {
            assertThat(TableContents.postgres(t, "items", "id")).as("seed " + seed)
                    .isEqualTo(TableContents.postgres(s, "items", "id"));
            execute(s, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                    + " WHERE database = current_database()");
        }
    }

    /**
     * The smallest case: a row older than the copy moves to a new key, and its old key is inserted again; the copy
     * read the old key's second life. The moved row must keep its own large value, not take the new row's.
     */
    @Test
    void movedRowKeepsItsOwnLargeValueWhenItsOldKeyLivesAgain() throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.postgres(), dir, "toastmove");
        String large = "x".repeat(6_000);
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE items (id int PRIMARY KEY, k int NOT NULL, payload text)",
                    "ALTER TABLE items ALTER payload SET STORAGE EXTERNAL",
                    "INSERT INTO items VALUES (1, 0, '" + large + "')");
        }
        assertThat(m.run("copy")).as(m.output()).isZero();
        try (Connection s = m.source()) {
            execute(s, "UPDATE items SET id = 2 WHERE id = 1", "INSERT INTO items VALUES (1, 5, 'second life')");
        }
        try (Connection t = m.target()) {
            execute(t, "UPDATE items SET k = 5, payload = 'second life' WHERE id = 1");
        }
        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
        try (Connection s = m.source(); Connection t = m.target()) {
            assertThat(TableContents.postgres(t, "items", "id")).isEqualTo(TableContents.postgres(s, "items", "id"));
            execute(s, "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                    + " WHERE database = current_database()");
        }
    }

    private static final int KEYS = 6;

    /** One random statement on few keys, so the keys' lives overlap: inserts, small updates, large values, moves. */
    private static void write(Connection s, Random r) throws SQLException {
        int id = 1 + r.nextInt(KEYS);
        int op = r.nextInt(8);
        String sql = switch (op) {
            case 0, 6 -> "INSERT INTO items VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING";
            case 1, 2 -> "UPDATE items SET k = k + 1 WHERE id = ?";
            case 3 -> "UPDATE items SET payload = ? WHERE id = ?";
            case 4, 7 -> "UPDATE items SET id = ?, k = k + 100 WHERE id = ? AND NOT EXISTS "
                    + "(SELECT 1 FROM items WHERE id = ?)";
            default -> "DELETE FROM items WHERE id = ?";
        };
        try (PreparedStatement ps = s.prepareStatement(sql)) {
            switch (op) {
                case 0, 6 -> {
                    ps.setInt(1, id);
                    ps.setInt(2, r.nextInt(100));
                    ps.setString(3, payload(r));
                }
                case 1, 2 -> ps.setInt(1, id);
                case 3 -> {
                    ps.setString(1, payload(r));
                    ps.setInt(2, id);
                }
                case 4, 7 -> {
                    int to = 1 + r.nextInt(KEYS);
                    ps.setInt(1, to);
                    ps.setInt(2, id);
                    ps.setInt(3, to);
                }
                default -> ps.setInt(1, id);
            }
            ps.executeUpdate();
        }
    }

    /** A large value (stored out of line), a small one or NULL; each large one distinct. */
    private static String payload(Random r) {
        int kind = r.nextInt(5);
        if (kind == 0) {
            return null;
        }
        if (kind == 1) {
            return "small" + r.nextInt(1000);
        }
        StringBuilder sb = new StringBuilder(6_000);
        while (sb.length() < 6_000) {
            sb.append(Long.toHexString(r.nextLong()));
        }
        return sb.toString();
    }

    /** The table's rows by key, each as its row literal. */
    private static Map<Integer, String> rows(Connection c) throws SQLException {
        Map<Integer, String> rows = new TreeMap<>();
        try (var st = c.createStatement(); var rs = st.executeQuery("SELECT id, i::text FROM items i")) {
            while (rs.next()) {
                rows.put(rs.getInt(1), rs.getString(2));
            }
        }
        return rows;
    }
}
