package io.livemigrate.rehearse;

import io.livemigrate.demo.EmbeddedMariaDbServer;
import io.livemigrate.demo.EmbeddedPostgresServer;
import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TestDatabases;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import static io.livemigrate.testing.TableContents.execute;

/**
 * A small application that writes its own statement log: PostgreSQL logs the source database's statements to the
 * server's csvlog ({@code ALTER DATABASE ... SET log_min_duration_statement = 0}); MariaDB writes a slow log
 * ({@code long_query_time = 0} in the application's session only) or a general log to a file of the test.
 */
public final class RehearsalWorkload {

    private final MigrationFixture m;
    private final boolean pg;
    private final Path log;

    private RehearsalWorkload(MigrationFixture m, boolean pg, Path log) {
        this.m = m;
        this.pg = pg;
        this.log = log;
    }

    /** Turns statement logging on for the fixture's source database; {@code general}: MariaDB's general log. */
    public static RehearsalWorkload start(MigrationFixture m, boolean pg, boolean general) throws Exception {
        if (pg) {
            EmbeddedPostgresServer server = TestDatabases.postgres();
            try (Connection c = m.source()) {
                execute(c, "ALTER DATABASE " + m.sourceDatabase() + " SET log_min_duration_statement = 0");
            }
            return new RehearsalWorkload(m, true, server.csvLog());
        }
        EmbeddedMariaDbServer server = TestDatabases.mariadb();
        Path log = m.dir().resolve(general ? "general.log" : "slow.log").toAbsolutePath();
        try (Connection c = server.connect(m.sourceDatabase())) {
            if (general) {
                execute(c, "SET GLOBAL log_output = 'FILE'", "SET GLOBAL general_log_file = '" + log + "'",
                        "SET GLOBAL general_log = 1");
            }
            else {
                execute(c, "SET GLOBAL log_output = 'FILE'", "SET GLOBAL slow_query_log_file = '" + log + "'",
                        "SET GLOBAL slow_query_log = 1");
            }
        }
        return new RehearsalWorkload(m, false, log);
    }

    public Path log() {
        return log;
    }

    /** An application session whose statements are logged. */
    public Connection session() throws SQLException {
        Connection c = m.source();
        if (!pg) {
            execute(c, "SET SESSION long_query_time = 0");
        }
        return c;
    }

    /** Runs {@code SELECT '<marker>'} and waits until the log holds it (PostgreSQL's logger writes asynchronously). */
    public void flush(Connection c, String marker) throws Exception {
        try (Statement st = c.createStatement()) {
            st.execute("SELECT '" + marker + "'");
        }
        org.awaitility.Awaitility.await("the statement log " + log + " showing " + marker)
                .atMost(java.time.Duration.ofSeconds(60)).pollInterval(java.time.Duration.ofMillis(100))
                .until(() -> Files.exists(log) && Files.readString(log).contains(marker));
    }

    /** Turns MariaDB's server-wide logs off again (PostgreSQL's is per database, dropped with it). */
    public void stop() throws SQLException {
        if (!pg) {
            try (Connection c = TestDatabases.mariadb().connect(m.sourceDatabase())) {
                execute(c, "SET GLOBAL slow_query_log = 0", "SET GLOBAL general_log = 0");
            }
        }
    }
}
