package io.livemigrate.catchup;

import io.livemigrate.testing.KeyedTables;
import io.livemigrate.testing.MigrationFixture;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.Map;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Catch-up records exactly the keys it changed (inserted, updated, deleted, both keys of a key change, composite
 * keys), each with the batch that changed it last; a verification notes the batch it starts after and, when clean,
 * prunes the record up to there.
 */
class ChangedKeysTest {

    private static final String SEP = "\u001f";

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"postgres", "mariadb"})
    void recordsExactlyTheChangedKeys(String engine) throws Exception {
        MigrationFixture m = KeyedTables.fixture(dir, engine, "chk" + engine);
        String schema = KeyedTables.schema(m);
        assertThat(m.run("copy")).as(m.output()).isZero();
        try (Connection s = m.source()) {
            s.setAutoCommit(false);
            execute(s, "UPDATE acct SET v = v + 1 WHERE id IN (5, 6, 7)", "INSERT INTO acct VALUES (1001, 1, 'n')",
                    "INSERT INTO acct VALUES (1002, 1, 'n')", "DELETE FROM acct WHERE id = 8");
            s.commit();
            execute(s, "UPDATE pairs SET v = 'x' WHERE a = 1", "UPDATE pairs SET b = 'z2' WHERE a = 2",
                    "DELETE FROM pairs WHERE a = 3");
            s.commit();
        }
        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
        Map<String, Long> first = KeyedTables.recorded(m);
        assertThat(first.keySet()).containsExactlyInAnyOrder(
                schema + ".acct " + "5", schema + ".acct 6", schema + ".acct 7", schema + ".acct 1001",
                schema + ".acct 1002", schema + ".acct 8",
                schema + ".pairs 1" + SEP + "k1", schema + ".pairs 2" + SEP + "k2", schema + ".pairs 2" + SEP + "z2",
                schema + ".pairs 3" + SEP + "k3");
        long mark = first.values().stream().mapToLong(Long::longValue).max().orElseThrow();

        assertThat(m.run("verify")).as(m.output()).isZero();
        assertThat(m.output()).contains("covers catch-up's changes up to batch " + mark);

        try (Connection s = m.source()) {
            execute(s, "UPDATE acct SET v = v + 1 WHERE id IN (5, 50)");
        }
        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
        // keys changed after the mark carry later batches; what remains at or before it (a clean verification
        // prunes all but the newest batch it covered) are keys of the first round
        Map<String, Long> second = KeyedTables.recorded(m);
        assertThat(second.entrySet().stream().filter(e -> e.getValue() > mark).map(Map.Entry::getKey))
                .containsExactlyInAnyOrder(schema + ".acct 5", schema + ".acct 50");
        assertThat(first.keySet()).containsAll(second.entrySet().stream().filter(e -> e.getValue() <= mark)
                .map(Map.Entry::getKey).toList());
    }
}
