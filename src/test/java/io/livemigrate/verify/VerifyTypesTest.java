package io.livemigrate.verify;

import io.livemigrate.demo.EmbeddedServer;
import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TestDatabases;
import io.livemigrate.testing.TypeSamples;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.sql.Connection;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/** A table with every type the copy carries, copied exactly, verifies equal (exit 0) on both engines. */
class VerifyTypesTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "mariadb"})
    void everyCopiedTypeVerifiesEqual(String engine) throws Exception {
        boolean pg = engine.equals("postgresql");
        EmbeddedServer server = pg ? TestDatabases.postgres() : TestDatabases.mariadb();
        MigrationFixture m = new MigrationFixture(server, dir, "vtypes_" + engine);
        try (Connection s = m.source()) {
            execute(s, pg ? TypeSamples.postgres() : TypeSamples.mysql());
        }
        assertThat(m.run("copy")).as(m.output()).isZero();
        assertThat(m.run("verify")).as(m.output()).isZero();
        assertThat(m.output()).contains("EQUAL").containsPattern("everything\\s+(\\d+)\\s+\\1\\s+0\\s+0\\s+0");
    }
}
