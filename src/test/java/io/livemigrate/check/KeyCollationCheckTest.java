package io.livemigrate.check;

import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TestDatabases;
import io.livemigrate.testing.TestServer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A text key that sorts differently on the two sides makes the same key range select different rows there, so a
 * restart's, retry's or repair's range delete on the target removes rows of neighbouring ranges. {@code check}
 * refuses such a table (exit 2, one line naming the table and both collations) and lets through every pair that
 * orders alike. Each row: the key's collation on the source, on the target ({@code -} when copy creates the target
 * table), and whether check must refuse.
 */
class KeyCollationCheckTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "PostgreSQL key {0} -> {1}: refused {2}")
    @CsvSource({
            "C, C, false",
            "C, POSIX, false",
            "und-x-icu, und-x-icu, false",
            "und-x-icu, -, false",
            "default, -, false",
            "und-x-icu, C, true",
            "C, und-x-icu, true",
            "default, und-x-icu, true",
            "und-x-icu, default, true",
    })
    void postgresRefusesATextKeyWhoseCollationDiffers(String source, String target, boolean refused) throws Exception {
        MigrationFixture m = new MigrationFixture(TestServer.of(TestDatabases.postgres()),
                Files.createDirectories(dir.resolve("pg")), "keycoll");
        String table = "CREATE TABLE public.accounts (k text %s PRIMARY KEY, note text COLLATE \"C\", n int)";
        try (Connection s = m.source(); Statement st = s.createStatement()) {
            st.execute(table.formatted(pgCollate(source)));
            st.execute("INSERT INTO public.accounts VALUES ('a', 'x', 1), ('B', 'y', 2)");
        }
        if (!target.equals("-")) {
            try (Connection t = m.target(); Statement st = t.createStatement()) {
                // A non-key column's collation never matters: only the key decides what a range holds.
                st.execute(table.replace("note text COLLATE \"C\"", "note text COLLATE \"und-x-icu\"")
                        .formatted(pgCollate(target)));
            }
        }
        assertRefusal(m, "public.accounts", refused);
    }

    @ParameterizedTest(name = "MariaDB key {0} -> {1}: refused {2}")
    @CsvSource({
            "utf8mb4_general_ci, utf8mb4_general_ci, false",
            "utf8mb4_bin, -, false",
            "utf8mb4_unicode_ci, -, false",
            "utf8mb4_general_ci, utf8mb4_bin, true",
            "utf8mb4_bin, utf8mb4_unicode_ci, true",
            "latin1_swedish_ci, latin1_bin, true",
    })
    void mariadbRefusesATextKeyWhoseCollationDiffers(String source, String target, boolean refused) throws Exception {
        MigrationFixture m = new MigrationFixture(TestServer.of(TestDatabases.mariadb()),
                Files.createDirectories(dir.resolve("my")), "keycoll");
        String table = "CREATE TABLE accounts (k varchar(40) CHARACTER SET %s COLLATE %s NOT NULL PRIMARY KEY, "
                + "note varchar(20) CHARACTER SET utf8mb4 COLLATE %s, n int)";
        try (Connection s = m.source(); Statement st = s.createStatement()) {
            st.execute(table.formatted(charset(source), source, "utf8mb4_bin"));
            st.execute("INSERT INTO accounts VALUES ('a', 'x', 1), ('B', 'y', 2)");
        }
        if (!target.equals("-")) {
            try (Connection t = m.target(); Statement st = t.createStatement()) {
                st.execute(table.formatted(charset(target), target, "utf8mb4_general_ci"));
            }
        }
        assertRefusal(m, m.sourceDatabase() + ".accounts", refused);
    }

    private static void assertRefusal(MigrationFixture m, String table, boolean refused) throws Exception {
        int exit = m.run("check");
        if (refused) {
            assertThat(exit).as(m.output()).isEqualTo(2);
            assertThat(m.output()).as("one finding naming the table, the key column, both orders and what to do")
                    .containsPattern("(?m)^ERROR +" + java.util.regex.Pattern.quote(table)
                            + ": key column k sorts by .*collation.* on the source but by .* on the target.*\\n +what to do: .+");
            assertThat(m.run("copy")).as("copy runs the same checks and writes nothing").isEqualTo(2);
        }
        else {
            assertThat(exit).as(m.output()).isZero();
        }
    }

    private static String pgCollate(String collation) {
        return collation.equals("default") ? "" : "COLLATE \"" + collation + "\"";
    }

    private static String charset(String collation) {
        return collation.substring(0, collation.indexOf('_'));
    }
}
