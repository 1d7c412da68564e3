package io.livemigrate.testing;

import io.livemigrate.demo.EmbeddedMariaDbServer;
import io.livemigrate.demo.EmbeddedPostgresServer;
import io.livemigrate.demo.EmbeddedServers;
import java.nio.file.Path;

/**
 * The embedded servers of this test JVM: one PostgreSQL and one MariaDB, each started by the first test
 * that asks for it and stopped when the JVM exits. Tests never share a database; each asks for its own:
 *
 * <pre>{@code
 * String url = TestDatabases.postgres().newDatabase("copy_resumes");   // jdbc:postgresql://127.0.0.1:P/copy_resumes_7
 * String url = TestDatabases.mariadb().newDatabase("copy_resumes");    // jdbc:mysql://127.0.0.1:P/copy_resumes_8
 * }</pre>
 *
 * Log in with {@code server.user()} / {@code server.password()}. Server data lives in the system temp
 * directory unless the system property {@code livemigrate.test.workdir} names another.
 */
public final class TestDatabases {

    private TestDatabases() {
    }

    public static EmbeddedPostgresServer postgres() {
        return Servers.INSTANCE.postgres();
    }

    public static EmbeddedMariaDbServer mariadb() {
        return Servers.INSTANCE.mariaDb();
    }

    /**
     * A second MariaDB, for tests whose source and target must be different servers: a server-wide fence
     * ({@code read_only}) or a proxy that switches between two addresses. Started on first use.
     */
    public static EmbeddedMariaDbServer secondMariadb() {
        return SecondMariaDb.INSTANCE;
    }

    private static Path workDir() {
        String workDir = System.getProperty("livemigrate.test.workdir");
        return workDir == null ? null : Path.of(workDir);
    }

    private static final class SecondMariaDb {

        static final EmbeddedMariaDbServer INSTANCE = start();

        private static EmbeddedMariaDbServer start() {
            try {
                return EmbeddedServers.startMariaDb(workDir()); // stops itself in a JVM shutdown hook
            }
            catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("second embedded MariaDB did not start", e);
            }
        }
    }

    /** Holder idiom: created on first use, once, without locking on every call. */
    private static final class Servers {

        static final EmbeddedServers INSTANCE = create();

        private static EmbeddedServers create() {
            // Never closed explicitly: each server stops itself in a JVM shutdown hook.
            return new EmbeddedServers(workDir());
        }
    }
}
