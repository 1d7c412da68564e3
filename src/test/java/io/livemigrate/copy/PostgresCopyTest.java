package io.livemigrate.copy;

import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TableContents;
import io.livemigrate.testing.TestDatabases;
import io.livemigrate.testing.TypeSamples;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/** The copy job against a real (embedded) PostgreSQL: values survive exactly, keys of every shape split and copy. */
class PostgresCopyTest {

    @TempDir
    Path dir;

    @Test
    void everySupportedTypeSurvivesExactlyAndGeneratedColumnsAreRecomputed() throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.postgres(), dir, "pg_types");
        try (Connection s = m.source()) {
            execute(s, TypeSamples.postgres());
        }
        assertThat(m.run("copy")).as(m.output()).isZero();
        try (Connection s = m.source(); Connection t = m.target()) {
            assertThat(TableContents.postgres(t, "everything", "id"))
                    .containsExactlyElementsOf(TableContents.postgres(s, "everything", "id"));
            try (Statement st = t.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT attgenerated FROM pg_attribute WHERE attrelid = 'everything'::regclass AND attname = 'doubled'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).as("generated column is recomputed by the target, not copied").isEqualTo("s");
            }
        }
    }

    @Test
    void compositeTextAndUuidKeysSplitIntoRangesAndCopyEveryRowOnce() throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.postgres(), dir, "pg_keys")
                .copyOptions("{ threads: 3, chunk-rows: 700, partition-rows: 4000 }");
        try (Connection s = m.source()) {
            execute(s,
                    "CREATE TABLE composite (a int, b text, v int, PRIMARY KEY (a, b))",
                    "INSERT INTO composite SELECT g % 97, md5(g::text), g FROM generate_series(1, 20000) g",
                    "CREATE TABLE texty (k text PRIMARY KEY, v int)",
                    "INSERT INTO texty SELECT 'key ' || g || E'\\'\"\\\\', g FROM generate_series(1, 15000) g",
                    "CREATE TABLE uuidy (id uuid PRIMARY KEY, v int)",
                    "INSERT INTO uuidy SELECT md5(g::text)::uuid, g FROM generate_series(1, 15000) g",
                    "CREATE TABLE parent (id int PRIMARY KEY, name text UNIQUE)",
                    "INSERT INTO parent SELECT g, 'p' || g FROM generate_series(1, 100) g",
                    "CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent(id), note text)",
                    "CREATE INDEX child_note ON child (note)",
                    "INSERT INTO child SELECT g, 1 + g % 100, 'n' || g FROM generate_series(1, 5000) g",
                    "ANALYZE");
        }
        assertThat(m.run("copy")).as(m.output()).isZero();
        try (Connection s = m.source(); Connection t = m.target()) {
            for (String[] table : new String[][] {{"composite", "a, b"}, {"texty", "k"}, {"uuidy", "id"},
                    {"parent", "id"}, {"child", "id"}}) {
                assertThat(TableContents.postgres(t, table[0], table[1])).as(table[0])
                        .containsExactlyElementsOf(TableContents.postgres(s, table[0], table[1]));
            }
            assertThat(indexesAndConstraints(t)).as("secondary index built after the data; unique and foreign keys "
                    + "wait for catch-up to pass the copy's end").containsExactly(1, 0, 0);
        }
        assertThat(m.run("status")).isZero();
        assertThat(m.output()).contains("copy complete").contains("public.composite");
        assertThat(m.output()).containsPattern("public\\.composite\\s+(\\d+)/\\1\\s+0\\s+20,000");
        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
        try (Connection t = m.target()) {
            assertThat(indexesAndConstraints(t)).containsExactly(1, 1, 1);
        }
    }

    /** child's secondary index, child's foreign key, parent's unique constraint. */
    private static List<Integer> indexesAndConstraints(Connection t) throws SQLException {
        try (Statement st = t.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT (SELECT count(*) FROM pg_indexes WHERE tablename = 'child' AND indexname = 'child_note'),"
                        + " (SELECT count(*) FROM pg_constraint WHERE conrelid = 'child'::regclass AND contype = 'f'),"
                        + " (SELECT count(*) FROM pg_constraint WHERE conrelid = 'parent'::regclass AND contype = 'u')")) {
            rs.next();
            return List.of(rs.getInt(1), rs.getInt(2), rs.getInt(3));
        }
    }

    @Test
    void tableWithoutKeyIsRefusedAndNothingIsWritten() throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.postgres(), dir, "pg_nokey");
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE keyed (id int PRIMARY KEY)", "CREATE TABLE log_lines (at timestamptz, line text)",
                    "INSERT INTO log_lines VALUES (now(), 'x')");
        }
        assertThat(m.run("copy")).isEqualTo(2);
        assertThat(m.output()).contains("public.log_lines: has no primary key and no unique key on NOT NULL columns")
                .contains("what to do:");
        assertThat(m.repositoryExists()).as("no job repository written").isFalse();
        try (Connection t = m.target(); Statement st = t.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("no table created on the target").isZero();
        }
    }

    /** A slot of an abandoned migration keeps WAL until the disk is full: check names it and says how to drop it. */
    @Test
    void anIdleSlotKeepingMuchWalIsReported() throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.postgres(), dir, "pg_idle");
        String slot = "livemigrate_abandoned_" + Math.abs(System.nanoTime() % 100_000);
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE items (id int PRIMARY KEY, v text)", "INSERT INTO items VALUES (1, 'a')");
            execute(s, "SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
            assertThat(m.run("check")).as(m.output()).isZero();
            assertThat(m.output()).as("a slot keeping little WAL is normal").doesNotContain(slot);
            // 20 WAL segments of 16 MB pass (the warning starts at 256 MB), each after a record of its own, so each
            // switch starts a new one
            for (int i = 0; i < 20; i++) {
                execute(s, "SELECT pg_logical_emit_message(false, 'livemigrate-test', 'x')", "SELECT pg_switch_wal()");
            }
            assertThat(m.run("check")).as(m.output()).isZero();
            assertThat(m.output()).contains("replication slot " + slot + " (database " + m.sourceDatabase()
                            + ") is not streaming and keeps")
                    .contains("SELECT pg_drop_replication_slot('" + slot + "')");
        }
        finally {
            try (Connection s = m.source()) {
                execute(s, "SELECT pg_drop_replication_slot('" + slot + "')");
            }
        }
    }

    @Test
    void targetTableWithForeignRowsIsRefusedUnlessResuming() throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.postgres(), dir, "pg_busy");
        try (Connection s = m.source(); Connection t = m.target()) {
            execute(s, "CREATE TABLE items (id int PRIMARY KEY, v text)", "INSERT INTO items VALUES (1, 'a')");
            execute(t, "CREATE TABLE items (id int PRIMARY KEY, v text)", "INSERT INTO items VALUES (99, 'stale')");
        }
        assertThat(m.run("check")).isEqualTo(2);
        assertThat(m.output()).contains("public.items: the target table already holds rows");
    }

    @Test
    void existingTargetTableThatDiffersIsReportedDifferenceByDifference() throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.postgres(), dir, "pg_differs");
        try (Connection s = m.source(); Connection t = m.target()) {
            execute(s, "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2), sku text)");
            execute(t, "CREATE TABLE items (id int PRIMARY KEY, name varchar(20), price numeric(10,2), extra int)");
        }
        assertThat(m.run("check")).isEqualTo(2);
        assertThat(m.output())
                .contains("public.items: target table differs: column name is text on the source but character varying(20) on the target")
                .contains("column name is NOT NULL on the source but nullable on the target")
                .contains("column sku (text) is missing on the target")
                .contains("column extra exists only on the target");
    }
}
