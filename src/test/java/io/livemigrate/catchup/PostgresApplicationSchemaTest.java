package io.livemigrate.catchup;

import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.Engine;
import io.livemigrate.engine.EngineKind;
import io.livemigrate.engine.Engines;
import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TableContents;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Schemas real applications have, on PostgreSQL: each is copied, caught up while the application writes to the
 * source, and then equal on both sides, row by row and by {@code verify}.
 */
class PostgresApplicationSchemaTest {

    @TempDir
    Path dir;

    /**
     * Enum, domain and extension (citext) columns, arrays of them too: the source's change stream names their types as
     * the target's catalog does, and prepare-schema creates the extension on the target.
     */
    @Test
    void enumDomainAndExtensionTypesAreCarried() throws Exception {
        MigrationFixture m = fixture("types");
        try (Connection s = m.source()) {
            execute(s, "CREATE EXTENSION IF NOT EXISTS citext",
                    "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
                    "CREATE DOMAIN posint AS integer CHECK (VALUE > 0)",
                    "CREATE TABLE typed (id int PRIMARY KEY, e mood, d posint NOT NULL, c citext, ea mood[], v text)",
                    "INSERT INTO typed SELECT g, (ARRAY['sad','ok','happy'])[1 + g % 3]::mood, g,"
                            + " 'Mixed ' || g, ARRAY['ok', 'sad']::mood[], 'v' FROM generate_series(1, 300) g");
        }
        assertThat(m.run("check")).as(m.output()).isZero();
        assertThat(m.run("copy")).as(m.output()).isZero();
        catchUpWhile(m, 7, (s, r, i) -> execute(s,
                "UPDATE typed SET e = 'happy', c = 'UPPER " + i + "', d = d + 1 WHERE id = " + (1 + r.nextInt(300)),
                "INSERT INTO typed VALUES (" + (1000 + i) + ", 'sad', " + (1 + r.nextInt(99)) + ", 'Neu', '{happy}', 'n')",
                "DELETE FROM typed WHERE id = " + (1 + r.nextInt(300))));
        assertEqual(m, "typed", "id");
    }

    /**
     * GENERATED ALWAYS identity columns, as the key and beside another key: catch-up inserts them with the source's
     * values (OVERRIDING SYSTEM VALUE), updates and key moves keep them equal, and the target's sequence is carried.
     */
    @Test
    void identityAlwaysColumnsAreCarried() throws Exception {
        MigrationFixture m = fixture("ident");
        try (Connection s = m.source()) {
            // big: values stored out of line, which a change that leaves them alone sends as 'unchanged'
            execute(s, "CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v text, big text)",
                    "CREATE TABLE tickets (code text PRIMARY KEY, n int GENERATED ALWAYS AS IDENTITY (START 100), v text,"
                            + " big text)",
                    "INSERT INTO orders (v, big) SELECT 'o' || g, " + LARGE + " FROM generate_series(1, 300) g",
                    "INSERT INTO tickets (code, v, big) SELECT 'c' || g, 't', " + LARGE + " FROM generate_series(1, 300) g");
        }
        assertThat(m.run("copy")).as(m.output()).isZero();
        catchUpWhile(m, 11, (s, r, i) -> execute(s,
                "INSERT INTO orders (v) VALUES ('new " + i + "')",
                "UPDATE orders SET v = 'upd " + i + "' WHERE id = " + (1 + r.nextInt(300)),
                "UPDATE orders SET id = DEFAULT WHERE id = " + (1 + r.nextInt(300)),
                "DELETE FROM orders WHERE id = " + (1 + r.nextInt(300)),
                "INSERT INTO tickets (code, v) VALUES ('n" + i + "', 'x')",
                "UPDATE tickets SET v = 'upd', n = DEFAULT WHERE code = 'c" + (1 + r.nextInt(300)) + "'",
                "UPDATE tickets SET code = 'moved" + i + "' WHERE code = 'c" + (1 + r.nextInt(300)) + "'"));
        assertEqual(m, "orders", "id");
        assertEqual(m, "tickets", "code");
    }

    /**
     * Declaratively partitioned tables (range and list, each with a default partition, one range partition itself
     * partitioned): check lists them, the copy creates them with their partitions and copies through the root,
     * catch-up applies rows of every partition (moves between partitions too) and a TRUNCATE of one partition empties
     * only that partition, and verify compares them.
     */
    @Test
    void partitionedTablesAreCarried() throws Exception {
        MigrationFixture m = fixture("parts");
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE events (id bigint NOT NULL, at int NOT NULL, v text, PRIMARY KEY (id, at))"
                            + " PARTITION BY RANGE (at)",
                    "CREATE TABLE events_low PARTITION OF events FOR VALUES FROM (MINVALUE) TO (100)",
                    "CREATE TABLE events_mid PARTITION OF events FOR VALUES FROM (100) TO (200) PARTITION BY LIST (id)",
                    "CREATE TABLE events_mid_a PARTITION OF events_mid FOR VALUES IN (1, 2, 3, 4, 5)",
                    "CREATE TABLE events_mid_rest PARTITION OF events_mid DEFAULT",
                    "CREATE TABLE events_rest PARTITION OF events DEFAULT",
                    "CREATE INDEX events_v ON events (v)",
                    "CREATE TABLE regions (code text PRIMARY KEY, n int) PARTITION BY LIST (code)",
                    "CREATE TABLE regions_eu PARTITION OF regions FOR VALUES IN ('de', 'fr', 'it')",
                    "CREATE TABLE regions_other PARTITION OF regions DEFAULT",
                    "INSERT INTO events SELECT g, g % 300, 'e' || g FROM generate_series(1, 900) g",
                    "INSERT INTO regions VALUES ('de', 1), ('fr', 2), ('us', 3), ('jp', 4)");
        }
        assertThat(m.run("check")).as(m.output()).isZero();
        assertThat(m.output()).contains("public.events").contains("public.regions");
        assertThat(m.run("copy")).as(m.output()).isZero();
        catchUpWhile(m, 13, (s, r, i) -> {
            execute(s, "INSERT INTO events VALUES (" + (1000 + i) + ", " + r.nextInt(400) + ", 'n')",
                    "UPDATE events SET at = " + r.nextInt(400) + " WHERE id = " + (1 + r.nextInt(900)),
                    "UPDATE events SET v = 'u" + i + "' WHERE id = " + (1 + r.nextInt(900)),
                    "DELETE FROM events WHERE id = " + (1 + r.nextInt(900)),
                    "INSERT INTO regions VALUES ('r" + i + "', " + i + ")",
                    "UPDATE regions SET code = 'it' WHERE code = 'de'");
            if (i == 20) {
                execute(s, "TRUNCATE events_mid_a", "TRUNCATE regions_eu");
            }
        });
        assertEqual(m, "events", "id, at");
        assertEqual(m, "regions", "code");
        try (Connection t = m.target()) {
            assertThat(TableContents.count(t, "ONLY events_rest")).as("rows in their partition on the target")
                    .isPositive();
        }
    }

    /**
     * A plan table renamed on the source while catch-up streams, written to, and renamed back: its changes are not
     * skipped: catch-up stops on its own with a message saying what happened. Excluding that table lets catch-up go
     * on with the others, exactly.
     */
    @Test
    void aTableRenamedDuringCatchupStopsIt() throws Exception {
        MigrationFixture m = fixture("rename");
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE accounts (id int PRIMARY KEY, v text)",
                    "CREATE TABLE other (id int PRIMARY KEY, v text)",
                    "INSERT INTO accounts SELECT g, 'a' FROM generate_series(1, 100) g",
                    "INSERT INTO other SELECT g, 'o' FROM generate_series(1, 100) g");
        }
        assertThat(m.run("copy")).as(m.output()).isZero();
        Process catchup = m.startAppending("catchup");
        m.awaitCatchupApplying(catchup);
        try (Connection s = m.source()) {
            execute(s, "INSERT INTO accounts VALUES (101, 'before')", "ALTER TABLE accounts RENAME TO accounts_old",
                    "INSERT INTO accounts_old VALUES (102, 'while renamed')", "ALTER TABLE accounts_old RENAME TO accounts",
                    "INSERT INTO accounts VALUES (103, 'after')", "UPDATE other SET v = 'later' WHERE id <= 10");
        }
        try {
            assertThat(catchup.waitFor(60, TimeUnit.SECONDS)).as("catch-up stops by itself\n" + m.childLog("catchup"))
                    .isTrue();
        }
        finally {
            catchup.destroyForcibly();
        }
        assertThat(catchup.exitValue()).isEqualTo(1);
        // the stream's relation says so; were the look-up of the plan's tables (every 2 s) to fall in the few
        // milliseconds the table had its other name, that stops it first
        assertThat(m.childLog("catchup")).containsAnyOf(
                "table public.accounts (oid", "table(s) public.accounts of the plan are no longer on the source");
        try (Connection t = m.target()) {
            assertThat(TableContents.count(t, "accounts WHERE id = 101")).as("changes before it applied").isEqualTo(1);
        }
        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isEqualTo(1);
        assertThat(m.output()).contains("renamed to public.accounts_old");

        java.nio.file.Files.writeString(m.plan(), java.nio.file.Files.readString(m.plan())
                .replace("include: [\"public.*\"]", "include: [\"public.*\"], exclude: [\"public.accounts\"]"));
        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
        try (Connection s = m.source(); Connection t = m.target()) {
            assertThat(TableContents.postgres(t, "other", "id")).isEqualTo(TableContents.postgres(s, "other", "id"));
        }
    }

    /**
     * A plan table dropped and created again on the source while catch-up streams: the new table is in no
     * publication, so none of its changes would ever arrive; catch-up stops on its own and says so, and a restart
     * refuses too.
     */
    @Test
    void aTableCreatedAgainDuringCatchupStopsIt() throws Exception {
        MigrationFixture m = fixture("recreate");
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE accounts (id int PRIMARY KEY, v text)",
                    "INSERT INTO accounts SELECT g, 'a' FROM generate_series(1, 100) g");
        }
        assertThat(m.run("copy")).as(m.output()).isZero();
        Process catchup = m.startAppending("catchup");
        m.awaitCatchupApplying(catchup);
        try (Connection s = m.source(); Connection t = m.target()) {
            execute(s, "INSERT INTO accounts VALUES (1000, 'streamed')");
            for (int i = 0; i < 600 && TableContents.count(t, "accounts WHERE id = 1000") == 0; i++) {
                Thread.sleep(100);
            }
            assertThat(TableContents.count(t, "accounts WHERE id = 1000")).as("catch-up streams").isEqualTo(1);
            execute(s, "DROP TABLE accounts", "CREATE TABLE accounts (id int PRIMARY KEY, v text)",
                    "INSERT INTO accounts SELECT g, 'new' FROM generate_series(1, 10) g");
        }
        try {
            assertThat(catchup.waitFor(60, TimeUnit.SECONDS)).as("catch-up stops by itself\n" + m.childLog("catchup"))
                    .isTrue();
        }
        finally {
            catchup.destroyForcibly();
        }
        assertThat(catchup.exitValue()).isEqualTo(1);
        assertThat(m.childLog("catchup")).contains("public.accounts").contains("created again");
        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isEqualTo(1);
    }

    /**
     * A text key whose collation sorts differently on the target (ICU English there, the database default C.UTF-8 on
     * the source): check and copy refuse it (exit 2) before writing anything; a key under an ICU collation on the
     * source, which prepare-schema creates the same on the target, passes.
     */
    @Test
    void aKeyThatSortsDifferentlyOnTheTargetIsRefused() throws Exception {
        MigrationFixture m = fixture("coll");
        try (Connection s = m.source(); Connection t = m.target()) {
            execute(s, "CREATE TABLE names (k text PRIMARY KEY, v text)",
                    "CREATE TABLE words (k text COLLATE \"sv-x-icu\" PRIMARY KEY, v text)",
                    "INSERT INTO names SELECT chr(65 + g % 26) || chr(97 + g % 7) || g, 'n' FROM generate_series(1, 200) g",
                    "INSERT INTO words SELECT 'w' || g, 'w' FROM generate_series(1, 20) g");
            execute(t, "CREATE TABLE names (k text COLLATE \"en-x-icu\" PRIMARY KEY, v text)");
        }
        assertThat(m.run("check")).as(m.output()).isEqualTo(2);
        assertThat(m.output()).contains("public.names: key column k sorts by a byte-order collation on the source but "
                        + "by collation en-x-icu (ICU en")
                .doesNotContain("public.words: key column");
        assertThat(m.run("copy")).as(m.output()).isEqualTo(2);
        try (Connection t = m.target()) {
            assertThat(TableContents.count(t, "names")).isZero();
            execute(t, "DROP TABLE names", "CREATE TABLE names (k text COLLATE \"C.utf8\" PRIMARY KEY, v text)");
        }
        assertThat(m.run("check")).as(m.output()).isZero();
    }

    /** A text value of about 6 kB that compresses badly, so PostgreSQL stores it out of line. */
    private static final String LARGE = "(SELECT string_agg(md5(g::text || x::text), '') FROM generate_series(1, 200) x)";

    /** One round of application writes; {@code i} counts rounds. */
    interface Writes {
        void run(Connection source, Random r, int i) throws SQLException;
    }

    private MigrationFixture fixture(String prefix) {
        return new MigrationFixture(TestDatabases.postgres(), dir, prefix)
                .copyOptions("{ threads: 2, chunk-rows: 100, partition-rows: 200 }");
    }

    /**
     * Starts catch-up, writes {@code rounds} rounds while it streams, stops it (it must have run without an error),
     * then catches up to the end; every change must have reached the target.
     */
    static void catchUpWhile(MigrationFixture m, long seed, Writes writes) throws Exception {
        Process catchup = m.startAppending("catchup");
        m.awaitCatchupApplying(catchup);
        Random r = new Random(seed);
        try (Connection s = m.source()) {
            for (int i = 0; i < 30; i++) {
                writes.run(s, r, i);
            }
        }
        // the running catch-up applies everything written above (a marker after it), not only the final run
        try (Connection s = m.source(); Connection t = m.target()) {
            s.setAutoCommit(true);
            t.setAutoCommit(true);
            Engine engine = Engines.of(EngineKind.POSTGRESQL);
            ChangePosition written = engine.markPosition(s, m.planName());
            assertThat(CatchupState.awaitApplied(t, m.planName(), written,
                    System.currentTimeMillis() + 120_000, 50, seen -> { })).as(m.childLog("catchup")).isPresent();
        }
        assertThat(catchup.isAlive()).as(m.childLog("catchup")).isTrue();
        assertThat(m.run("stop")).as(m.output()).isZero();
        assertThat(catchup.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(catchup.exitValue()).as(m.childLog("catchup")).isZero();
        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
    }

    static void assertEqual(MigrationFixture m, String table, String orderBy) throws Exception {
        try (Connection s = m.source(); Connection t = m.target()) {
            assertThat(TableContents.postgres(t, table, orderBy)).as(table)
                    .isEqualTo(TableContents.postgres(s, table, orderBy)).isNotEmpty();
        }
        assertThat(m.run("verify")).as(m.output()).isZero();
    }
}
