package io.livemigrate.testing;

import io.livemigrate.catchup.ChangedKeys;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

import static io.livemigrate.testing.TableContents.execute;

/**
 * Two small source tables for tests of the keys catch-up records and the cutover re-checks: {@code acct} (bigint
 * key, 100 rows, v = 0, note = 'a') and {@code pairs} (composite key (a, 'k' || a), 50 rows, v = 'v').
 */
public final class KeyedTables {

    private KeyedTables() {
    }

    /** The schema (PostgreSQL) or database (MySQL) the source tables are in, as catch-up names them. */
    public static String schema(MigrationFixture m) {
        return m.sourceUrl().startsWith("jdbc:postgresql") ? "public" : m.sourceDatabase();
    }

    /** A migration between fresh databases of {@code engine} ("postgres" or "mariadb"), the two tables on its source. */
    public static MigrationFixture fixture(Path dir, String engine, String prefix) throws SQLException {
        boolean pg = engine.equals("postgres");
        MigrationFixture m = new MigrationFixture(pg ? TestServer.of(TestDatabases.postgres())
                : TestServer.of(TestDatabases.mariadb()), dir, prefix);
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE acct (id bigint PRIMARY KEY, v int NOT NULL, note varchar(20))",
                    "CREATE TABLE pairs (a int, b varchar(20), v varchar(20), PRIMARY KEY (a, b))");
            try (PreparedStatement acct = s.prepareStatement("INSERT INTO acct VALUES (?, 0, 'a')");
                 PreparedStatement pairs = s.prepareStatement("INSERT INTO pairs VALUES (?, ?, 'v')")) {
                for (int i = 1; i <= 100; i++) {
                    acct.setLong(1, i);
                    acct.addBatch();
                    if (i <= 50) {
                        pairs.setInt(1, i);
                        pairs.setString(2, "k" + i);
                        pairs.addBatch();
                    }
                }
                acct.executeBatch();
                pairs.executeBatch();
            }
        }
        return m;
    }

    /** The plan's recorded keys on the target as "table key-text", with the last batch that changed each. */
    public static Map<String, Long> recorded(MigrationFixture m) throws SQLException {
        Map<String, Long> keys = new HashMap<>();
        try (Connection t = m.target()) {
            ChangedKeys.since(t, m.planName(), 0, Long.MAX_VALUE).keys().forEach((table, byKey) ->
                    byKey.forEach((key, batch) -> keys.put(table + " " + key.encode(), batch)));
        }
        return keys;
    }
}
