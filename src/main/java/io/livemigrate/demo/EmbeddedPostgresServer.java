package io.livemigrate.demo;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An embedded PostgreSQL 14 (zonky binaries) set up as a change-capture source: wal_level=logical with
 * room for replication slots and WAL senders. Durability is switched off because these servers hold
 * throwaway test data and seeding speed matters more.
 *
 * <p>initdb runs with trust authentication for local TCP, including replication connections, so PgJDBC's
 * replication API ({@code replication=database}) works without touching pg_hba.conf.
 */
public final class EmbeddedPostgresServer extends EmbeddedServer {

    private final EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(Path instanceDirectory, EmbeddedPostgres postgres) {
        super(instanceDirectory);
        this.postgres = postgres;
    }

    /** Starts a server on a free port with its data directory under {@code workDir} (temp when null). */
    public static EmbeddedPostgresServer start(Path workDir) throws IOException {
        Path instanceDirectory = newInstanceDirectory(workDir, "postgres");
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(instanceDirectory.resolve("data"))
                .setCleanDataDirectory(true)
                // Our own hook (EmbeddedServer) stops the server and removes the whole instance directory.
                .setRegisterShutdownHook(false)
                .setPGStartupWait(Duration.ofSeconds(30))
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("wal_level", "logical")
                .setServerConfig("max_replication_slots", "100")
                .setServerConfig("max_wal_senders", "100")
                .setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off")
                .setServerConfig("full_page_writes", "off")
                .setServerConfig("shared_buffers", "128MB")
                .setServerConfig("max_connections", "200")
                // Applications use two-phase commit; the cutover's fence must see their prepared transactions.
                .setServerConfig("max_prepared_transactions", "10")
                // Seeding writes a few hundred MB of WAL; fewer checkpoints keep it fast.
                .setServerConfig("max_wal_size", "2GB")
                .setServerConfig("timezone", "UTC")
                // The server log as csvlog files under data/log, so a statement log can be turned on per database
                // (ALTER DATABASE ... SET log_min_duration_statement = 0) and rehearsed; nothing is logged per
                // statement until then.
                .setServerConfig("logging_collector", "on")
                .setServerConfig("log_destination", "csvlog")
                .start();
        EmbeddedPostgresServer server = new EmbeddedPostgresServer(instanceDirectory, postgres);
        server.stopOnJvmExit();
        return server;
    }

    /**
     * The role's sessions log every statement ({@code ALTER ROLE ... SET log_min_duration_statement = 0}) into the
     * csvlog; returns the log directory, so a rotation while the application runs loses nothing.
     */
    @Override
    public Path startStatementLog(String user) throws java.sql.SQLException {
        try (java.sql.Connection c = connect(adminDatabase()); java.sql.Statement st = c.createStatement()) {
            st.execute("ALTER ROLE " + user + " SET log_min_duration_statement = 0");
        }
        return csvLog().getParent();
    }

    /** The csvlog file the server writes now. */
    public Path csvLog() throws java.sql.SQLException {
        try (java.sql.Connection c = connect(adminDatabase());
             java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT current_setting('data_directory'),"
                     + " pg_current_logfile('csvlog')")) {
            rs.next();
            Path file = Path.of(rs.getString(2));
            return file.isAbsolute() ? file : Path.of(rs.getString(1)).resolve(file);
        }
    }

    @Override
    public int port() {
        return postgres.getPort();
    }

    @Override
    public String user() {
        return "postgres";
    }

    @Override
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    @Override
    protected String adminDatabase() {
        return "postgres";
    }

    @Override
    protected String createDatabaseSql(String name) {
        return "CREATE DATABASE " + name + " ENCODING 'UTF8' TEMPLATE template0";
    }

    @Override
    protected void stopServer() throws IOException {
        postgres.close();
    }
}
