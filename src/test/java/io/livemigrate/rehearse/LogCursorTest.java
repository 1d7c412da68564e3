package io.livemigrate.rehearse;

import io.livemigrate.engine.EngineKind;
import io.livemigrate.engine.Engines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A followed log yields the entries appended after its end was reached, and ends when told to stop, also in the middle
 * of the log (a follow that lags behind a busy log ends at once, not at the log's end).
 */
class LogCursorTest {

    @TempDir
    Path dir;

    @Test
    void followingReadsAppendedEntries() throws Exception {
        Path log = dir.resolve("general.log");
        Files.writeString(log, "/usr/sbin/mariadbd, Version: 11.4.5-MariaDB-log (MariaDB Server). started with:\n"
                + "Tcp port: 3306  Unix socket: /tmp/mysql.sock\nTime\t\t    Id Command\tArgument\n"
                + "241204 18:50:29\t    8 Connect\tapp@localhost on shop using TCP/IP\n"
                + "\t\t    8 Query\tSELECT 1\n\t\t    8 Query\tSELECT\n  2\n");
        StatementLog statements = StatementLog.open(log, Engines.of(EngineKind.MYSQL));
        RehearsalStop stop = new RehearsalStop();
        try (LogCursor cursor = new LogCursor(statements, true, stop)) {
            LogCursor.Numbered first = cursor.next();
            assertThat(first.statement().sql()).isEqualTo("SELECT 1");
            assertThat(first.statement().database()).isEqualTo("shop");
            assertThat(first.statement().user()).isEqualTo("app");
            assertThat(cursor.next().statement().sql()).isEqualTo("SELECT\n  2");
            Files.writeString(log, "241204 18:50:31\t    9 Connect\tapp@localhost on shop using TCP/IP\n"
                    + "\t\t    9 Query\tSELECT 3\n", StandardOpenOption.APPEND);
            LogCursor.Numbered third = cursor.next();
            assertThat(third.statement().sql()).isEqualTo("SELECT 3");
            assertThat(third.statement().session()).isEqualTo("9");
            assertThat(third.ordinal()).isEqualTo(3);
            stop.request();
            assertThat(cursor.next()).isNull();
        }
    }

    @Test
    void aStopEndsAFollowedLogInTheMiddle() throws Exception {
        Path log = dir.resolve("general.log");
        Files.writeString(log, "Time\t\t    Id Command\tArgument\n"
                + "241204 18:50:29\t    8 Connect\tapp@localhost on shop using TCP/IP\n"
                + "\t\t    8 Query\tSELECT 1\n\t\t    8 Query\tSELECT 2\n\t\t    8 Query\tSELECT 3\n");
        StatementLog statements = StatementLog.open(log, Engines.of(EngineKind.MYSQL));
        RehearsalStop stop = new RehearsalStop();
        try (LogCursor cursor = new LogCursor(statements, true, stop)) {
            assertThat(cursor.next().statement().sql()).isEqualTo("SELECT 1");
            stop.request();
            assertThat(cursor.next()).as("two statements are left, but the follow has ended").isNull();
        }
        try (LogCursor cursor = new LogCursor(statements, false, stop)) {
            assertThat(cursor.next().statement().sql()).as("a log not followed is read to its end by the cursor;"
                    + " the reader decides what to hand out").isEqualTo("SELECT 1");
        }
    }
}
