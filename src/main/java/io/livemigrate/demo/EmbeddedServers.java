package io.livemigrate.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * One embedded PostgreSQL and one embedded MariaDB, each started on first use and stopped together.
 * For demos, benchmarks and test suites that want both engines without paying for the one they skip.
 */
public final class EmbeddedServers implements AutoCloseable {

    private final Path workDir;
    private EmbeddedPostgresServer postgres;
    private EmbeddedMariaDbServer mariaDb;
    private boolean closed;

    /** @param workDir where the servers keep their data; null for the system temp directory */
    public EmbeddedServers(Path workDir) {
        this.workDir = workDir;
    }

    public static EmbeddedPostgresServer startPostgres(Path workDir) throws IOException {
        return EmbeddedPostgresServer.start(workDir);
    }

    public static EmbeddedMariaDbServer startMariaDb(Path workDir) throws IOException {
        return EmbeddedMariaDbServer.start(workDir);
    }

    /** The PostgreSQL server, started by the first call. */
    public synchronized EmbeddedPostgresServer postgres() {
        requireOpen();
        if (postgres == null) {
            try {
                postgres = startPostgres(workDir);
            } catch (IOException e) {
                throw new UncheckedIOException("embedded PostgreSQL did not start", e);
            }
        }
        return postgres;
    }

    /** The MariaDB server, started by the first call. */
    public synchronized EmbeddedMariaDbServer mariaDb() {
        requireOpen();
        if (mariaDb == null) {
            try {
                mariaDb = startMariaDb(workDir);
            } catch (IOException e) {
                throw new UncheckedIOException("embedded MariaDB did not start", e);
            }
        }
        return mariaDb;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("EmbeddedServers already closed");
        }
    }

    /** Stops whichever servers were started; each also stops on JVM exit if this is never called. */
    @Override
    public synchronized void close() {
        closed = true;
        RuntimeException failure = null;
        for (EmbeddedServer server : new EmbeddedServer[] {postgres, mariaDb}) {
            if (server == null) {
                continue;
            }
            try {
                server.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
