package io.livemigrate.rehearse;

import io.livemigrate.engine.Engine;
import io.livemigrate.engine.EngineKind;
import io.livemigrate.engine.Engines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The log a partition reads must be the one the manager split: a log that only grew is the same; another log at the
 * path (other first bytes), a shorter copy, a missing file or a missing directory entry fail with the host, the path
 * and what to do.
 */
class LogIdentityTest {

    private static final Engine PG = Engines.of(EngineKind.POSTGRESQL);

    @TempDir
    Path dir;

    @Test
    void aGrownLogIsTheSameAndAnotherLogAtThePathIsRefusedWithHostPathAndWhatToDo() throws Exception {
        Path log = dir.resolve("postgresql.csv");
        Files.writeString(log, line(1, "SELECT 1") + line(2, "SELECT 2"));
        String identity = LogIdentity.of(StatementLog.open(log, PG)).encode();

        Files.writeString(log, line(3, "SELECT 3"), StandardOpenOption.APPEND);
        assertThat(LogIdentity.openSame(log, PG, identity, "worker-host").path()).isEqualTo(log);

        Files.writeString(log, line(4, "SELECT 4") + line(5, "SELECT 5"));
        assertThatThrownBy(() -> LogIdentity.openSame(log, PG, identity, "worker-host"))
                .isInstanceOf(RehearsalInputException.class)
                .hasMessageContaining("on host worker-host").hasMessageContaining(log.toString())
                .hasMessageContaining("starts with other bytes").hasMessageContaining("same log at the same path");

        Files.writeString(log, line(1, "SELECT 1")); // an older, shorter copy
        assertThatThrownBy(() -> LogIdentity.openSame(log, PG, identity, "worker-host"))
                .hasMessageContaining("on host worker-host").hasMessageContaining("fewer than the");

        Files.delete(log);
        assertThatThrownBy(() -> LogIdentity.openSame(log, PG, identity, "worker-host"))
                .isInstanceOf(RehearsalInputException.class)
                .hasMessageContaining("on host worker-host").hasMessageContaining("no such file")
                .hasMessageContaining("same log at the same path");
    }

    @Test
    void aDirectoryMissingARotatedFileIsRefused() throws Exception {
        Path logs = Files.createDirectory(dir.resolve("logs"));
        Files.writeString(logs.resolve("postgresql-1.csv"), line(1, "SELECT 1"));
        Files.writeString(logs.resolve("postgresql-2.csv"), line(2, "SELECT 2"));
        String identity = LogIdentity.of(StatementLog.open(logs, PG)).encode();
        assertThat(LogIdentity.decode(identity).files()).hasSize(2);
        LogIdentity.openSame(logs, PG, identity, "h");

        Files.delete(logs.resolve("postgresql-1.csv"));
        assertThatThrownBy(() -> LogIdentity.openSame(logs, PG, identity, "h"))
                .hasMessageContaining(logs.resolve("postgresql-1.csv") + " is missing");
    }

    private static String line(int n, String sql) {
        return "2026-12-04 18:50:2" + n + ".123 UTC,\"app\",\"shop\",42,\"127.0.0.1:5000\",\"6750a\"," + n
                + ",\"SELECT\",2026-12-04 18:50:29 UTC,3/7,0,LOG,00000,\"duration: 0.100 ms  statement: " + sql
                + "\",,,,,,,,,\"psql\",\"client backend\",,0\n";
    }
}
