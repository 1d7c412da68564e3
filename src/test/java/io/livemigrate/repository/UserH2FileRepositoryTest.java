package io.livemigrate.repository;

import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.concurrent.TimeUnit;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * An H2 file the operator names with {@code --repository} is shared by the commands of a migration as livemigrate's
 * default file is: a catch-up runs for days while {@code status}, {@code verify}, {@code stop} and the cutover use
 * the same repository. A URL that rules sharing out is refused before anything is opened (exit 2).
 */
class UserH2FileRepositoryTest {

    @TempDir
    Path dir;

    @Test
    void anH2FileUrlWithoutAutoServerIsSharedWithTheRunningCatchup() throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.postgres(), dir, "h2file")
                .repository("jdbc:h2:file:" + dir.resolve("shared"));
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE items (id int PRIMARY KEY, v text)",
                    "INSERT INTO items SELECT g, 'v' FROM generate_series(1, 100) g");
        }
        assertThat(m.run("copy")).as(m.output()).isZero();
        Process catchup = m.start("catchup");
        try {
            m.awaitCatchupApplying(catchup);
            assertThat(m.run("status")).as(m.output()).isZero();
            assertThat(m.output()).contains("catchup running");
            assertThat(m.run("stop")).as(m.output()).isZero();
            assertThat(catchup.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(catchup.exitValue()).as(m.childLog("catchup")).isZero();
        }
        finally {
            catchup.destroyForcibly();
            catchup.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void anH2FileUrlThatRulesSharingOutIsRefusedBeforeAnythingIsOpened() throws Exception {
        Path file = dir.resolve("alone");
        MigrationFixture m = new MigrationFixture(TestDatabases.postgres(), dir, "h2alone")
                .repository("jdbc:h2:file:" + file + ";auto_server=false;PASSWORD=hunter2");
        assertThat(m.run("status")).as(m.output()).isEqualTo(2);
        assertThat(m.output()).contains("--repository").contains("AUTO_SERVER=FALSE")
                .contains("remove that setting").doesNotContain("hunter2");
        assertThat(Files.exists(dir.resolve("alone.mv.db"))).as("nothing opened").isFalse();

        m.repository("jdbc:oracle:thin:@db");
        assertThat(m.run("status")).as(m.output()).isEqualTo(2);
        assertThat(m.output()).contains("not a PostgreSQL, MySQL or H2 JDBC URL");
    }
}
