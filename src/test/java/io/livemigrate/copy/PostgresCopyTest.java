package io.livemigrate.copy;

import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TableContents;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

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
            execute(s,
                    "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
                    "CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0)",
                    """
                    CREATE TABLE everything (
                      id bigint PRIMARY KEY, si smallint, i integer, bi bigint,
                      n numeric, n2 numeric(40,20), r real, d double precision,
                      t text, vc varchar(10), c char(5), b bytea, bool boolean,
                      dt date, tm time, ts timestamp, tstz timestamptz, iv interval, u uuid,
                      j json, jb jsonb, ia integer[], ta text[], m mood, ma mood[], ip inet, net cidr,
                      pos positive_int, big text,
                      doubled bigint GENERATED ALWAYS AS (i::bigint * 2) STORED)""",
                    """
                    INSERT INTO everything (id, si, i, bi, n, n2, r, d, t, vc, c, b, bool, dt, tm, ts, tstz, iv, u, j, jb,
                                            ia, ta, m, ma, ip, net, pos, big) VALUES
                    (1, -32768, -2147483648, -9223372036854775808, 123456789012345678901234567890.123456789,
                     -0.00000000000000000001, 'NaN', 'Infinity', 'plain', 'abc', 'ab', '\\x00ff5c0a09', true,
                     '4713-01-01 BC', '00:00:00', '-infinity', 'infinity', '-178000000 years', gen_random_uuid(),
                     '{"b": 1, "a": [1, 2.50]}', '{"b": 1, "a": [1, 2.50]}', '{1,NULL,3}', '{"a b","c,d",NULL,""}',
                     'happy', '{sad,ok}', '192.168.0.1/24', '10.0.0.0/8', 1, repeat('x', 1100000)),
                    (2, 32767, 2147483647, 9223372036854775807, 'NaN', 0, '-Infinity', '-0', '', 'é✓😀', 'a   ',
                     '', false, 'infinity', '24:00:00', '294276-12-31 23:59:59.999999', '1999-12-31 23:59:59.999999+05:30',
                     '1 day -00:00:00.000001', '00000000-0000-0000-0000-000000000000', 'null', '{}', '{}', '{}',
                     'sad', '{}', '::1', '::/0', 2147483647, ''),
                    (3, NULL, NULL, NULL, NULL, NULL, 1.17549435e-38, 2.2250738585072014e-308, NULL, NULL, NULL, NULL, NULL,
                     NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
                    (4, 0, 0, 0, 0.000, 1.10, 3.4028235e38, 1.7976931348623157e308, E'tab\\there\\nnewline\\\\', 'x', ' ',
                     '\\x', NULL, '2000-02-29', '23:59:59.999999', '2000-01-01 00:00:00.000001', '-infinity', '0',
                     'ffffffff-ffff-ffff-ffff-ffffffffffff', '[1, "two", null]', '[1, "two", null]', '{{1,2},{3,4}}',
                     '{NULL}', 'ok', '{happy,NULL}', '0.0.0.0', '192.168.0.0/16', 5, repeat('é', 600000))""");
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
            try (Statement st = t.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT (SELECT count(*) FROM pg_indexes WHERE tablename = 'child' AND indexname = 'child_note'),"
                            + " (SELECT count(*) FROM pg_constraint WHERE conrelid = 'child'::regclass AND contype = 'f'),"
                            + " (SELECT count(*) FROM pg_constraint WHERE conrelid = 'parent'::regclass AND contype = 'u')")) {
                rs.next();
                assertThat(rs.getInt(1)).as("secondary index built after the data").isEqualTo(1);
                assertThat(rs.getInt(2)).as("foreign key built after the data").isEqualTo(1);
                assertThat(rs.getInt(3)).as("unique constraint built after the data").isEqualTo(1);
            }
        }
        assertThat(m.run("status")).isZero();
        assertThat(m.output()).contains("copy complete").contains("public.composite");
        assertThat(m.output()).containsPattern("public\\.composite\\s+(\\d+)/\\1\\s+0\\s+20,000");
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
}
