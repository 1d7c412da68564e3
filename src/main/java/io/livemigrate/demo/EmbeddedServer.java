package io.livemigrate.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * What every embedded database server offers its callers: where it listens, how to log in, and fresh
 * databases. Subclasses only know how to stop their process and how their SQL dialect creates a database.
 *
 * <p>Each server lives in its own instance directory, so two JVMs (surefire and a child JVM it forks)
 * can run servers side by side. The directory is deleted on {@link #close()}, which a shutdown hook
 * also calls, so a test run that forgets to close leaves neither processes nor files behind.
 */
public abstract class EmbeddedServer implements AutoCloseable {

    /** Names we create: lower case so PostgreSQL needs no quoting, short enough for both engines (63). */
    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z][a-z0-9_]{0,62}");
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final AtomicInteger databases = new AtomicInteger();
    private final Path instanceDirectory;
    private Thread shutdownHook;
    private boolean closed;

    protected EmbeddedServer(Path instanceDirectory) {
        this.instanceDirectory = instanceDirectory;
    }

    /**
     * A new, empty directory for one server under {@code workDir} (the system temp directory when null).
     * The pid in the name keeps two processes sharing one work directory apart, and lets a later JVM
     * recognise, stop and delete what a killed JVM left behind.
     */
    protected static Path newInstanceDirectory(Path workDir, String engine) throws IOException {
        Path parent = workDir == null ? Path.of(System.getProperty("java.io.tmpdir")) : workDir.toAbsolutePath();
        Files.createDirectories(parent);
        StaleInstances.reap(parent);
        String name = "livemigrate-" + engine + "-" + ProcessHandle.current().pid() + "-"
                + INSTANCES.incrementAndGet() + "-";
        return Files.createTempDirectory(parent, name);
    }

    public abstract int port();

    /** The administrative user, allowed to do anything, including replication. */
    public abstract String user();

    /** The administrative user's password: empty, these servers only listen on 127.0.0.1. */
    public String password() {
        return "";
    }

    /** JDBC URL of a database on this server (it need not exist yet). */
    public abstract String jdbcUrl(String database);

    /** The database that always exists, for administrative connections. */
    protected abstract String adminDatabase();

    protected abstract String createDatabaseSql(String name);

    /** Stops the server process and waits for it to exit. */
    protected abstract void stopServer() throws Exception;

    /**
     * Turns the server's statement log on for a rehearsal and returns where it is (a file or a directory of log files,
     * as {@code rehearse --log} takes it). It logs the statements of {@code user}'s sessions that start from now on;
     * where the engine cannot choose sessions by user (MariaDB), of every session that starts until
     * {@link #endStatementLogWindow()}, so the caller opens that window around its application's connecting.
     */
    public abstract Path startStatementLog(String user) throws SQLException;

    /** Sessions that start from now on are not logged because of {@link #startStatementLog} (those logging go on). */
    public void endStatementLogWindow() throws SQLException {
    }

    public Path instanceDirectory() {
        return instanceDirectory;
    }

    /** Creates an empty database and returns its JDBC URL; {@code name} must match {@code [a-z][a-z0-9_]*}. */
    public String createDatabase(String name) {
        requireValidName(name);
        executeAsAdmin(createDatabaseSql(name));
        return jdbcUrl(name);
    }

    /** Creates an empty database with a name unique on this server, derived from {@code prefix}; returns its URL. */
    public String newDatabase(String prefix) {
        return createDatabase(uniqueName(prefix));
    }

    /** A connection to {@code database} as the administrative user; the caller closes it. */
    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), user(), password());
    }

    /** The database name part of a URL this server handed out. */
    public static String databaseOf(String jdbcUrl) {
        int hostStart = jdbcUrl.indexOf("://") + 3;
        String path = jdbcUrl.substring(jdbcUrl.indexOf('/', hostStart) + 1);
        int query = path.indexOf('?');
        return query < 0 ? path : path.substring(0, query);
    }

    String uniqueName(String prefix) {
        String clean = prefix == null ? "" : prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        if (clean.isEmpty() || !Character.isLetter(clean.charAt(0))) {
            clean = "db_" + clean;
        }
        if (clean.length() > 48) {
            clean = clean.substring(0, 48);
        }
        return clean + "_" + databases.incrementAndGet();
    }

    private static void requireValidName(String name) {
        if (name == null || !DATABASE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "database name must match " + DATABASE_NAME.pattern() + " but was: " + name);
        }
    }

    private void executeAsAdmin(String sql) {
        try (Connection connection = connect(adminDatabase()); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("'" + sql + "' failed on " + this + ": " + e.getMessage(), e);
        }
    }

    /** Subclasses call this once their server runs: a JVM that exits without close() still stops it. */
    protected final synchronized void stopOnJvmExit() {
        shutdownHook = new Thread(this::close, getClass().getSimpleName() + "-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Stops the server and deletes its instance directory. Safe to call twice and from a shutdown hook. */
    @Override
    public final synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        removeShutdownHook();
        try {
            stopServer();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop " + this, e);
        } finally {
            deleteRecursively(instanceDirectory);
        }
    }

    private void removeShutdownHook() {
        if (shutdownHook == null || Thread.currentThread() == shutdownHook) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The hook is running or about to; close() is idempotent, so that is harmless.
        }
    }

    static void deleteRecursively(Path directory) {
        if (directory == null || !Files.exists(directory)) {
            return;
        }
        try {
            Files.walkFileTree(directory, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE; // gone already, e.g. a database dropped meanwhile
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + directory, e);
        }
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + " on 127.0.0.1:" + port();
    }
}
