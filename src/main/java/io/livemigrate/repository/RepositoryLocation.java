package io.livemigrate.repository;

import com.zaxxer.hikari.HikariDataSource;
import io.livemigrate.engine.Endpoint;
import io.livemigrate.engine.Secret;
import io.livemigrate.plan.ConnectionFailure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;

/**
 * Where the Spring Batch job repository lives: by default an H2 file under {@code .livemigrate/} in the working
 * directory (created on first use, so a restart needs no set-up); with {@code --repository} or
 * {@code LIVEMIGRATE_REPOSITORY_URL}, a PostgreSQL or MySQL database that ops can query, or another H2 database (an
 * H2 file is opened so that processes share it: {@link H2FileUrl}). Credentials for a
 * shared repository come from {@code LIVEMIGRATE_REPOSITORY_USER} / {@code LIVEMIGRATE_REPOSITORY_PASSWORD}.
 */
public record RepositoryLocation(String url, String user, Secret password, Path defaultDirectory) {

    public static final String URL_VARIABLE = "LIVEMIGRATE_REPOSITORY_URL";

    public static RepositoryLocation resolve(String cliUrl, Map<String, String> env, Path workDir) {
        String url = cliUrl != null ? cliUrl : env.get(URL_VARIABLE);
        if (url == null || url.isBlank()) {
            Path dir = workDir.resolve(".livemigrate").toAbsolutePath();
            return new RepositoryLocation(H2FileUrl.shared("jdbc:h2:file:" + dir.resolve("repository")
                    + ";AUTO_SERVER=TRUE;AUTO_RECONNECT=TRUE"), "sa", Secret.NONE, dir);
        }
        if (!url.startsWith("jdbc:postgresql:") && !url.startsWith("jdbc:mysql:") && !url.startsWith("jdbc:mariadb:")
                && !url.startsWith("jdbc:h2:")) {
            throw new RepositoryUrlException("--repository: '" + Endpoint.masked(url)
                    + "' is not a PostgreSQL, MySQL or H2 JDBC URL");
        }
        return new RepositoryLocation(H2FileUrl.shared(url.replace("jdbc:mariadb:", "jdbc:mysql:")),
                env.getOrDefault("LIVEMIGRATE_REPOSITORY_USER", url.startsWith("jdbc:h2:") ? "sa" : ""),
                Secret.of(env.getOrDefault("LIVEMIGRATE_REPOSITORY_PASSWORD", "")), null);
    }

    /**
     * An H2 database: a file that the process which opened it first serves to the others (AUTO_SERVER), or a
     * standalone H2 server. Either can go away under the processes that use it; see {@link ReconnectingJobRepository}.
     */
    public boolean isH2() {
        return url.startsWith("jdbc:h2:");
    }

    public boolean isDefault() {
        return defaultDirectory != null;
    }

    /** Whether there is anything to read yet; the default file store is created only when a job first runs. */
    public boolean exists() {
        return !isDefault() || Files.exists(defaultDirectory.resolve("repository.mv.db"));
    }

    /**
     * Connects once to a shared (PostgreSQL or MySQL) repository, so an unreachable one or a refused login is a
     * {@link ConnectionFailure} before any job context starts. H2 files are left alone: connecting creates them.
     */
    public void requireReachable() {
        if (isH2()) {
            return;
        }
        try (Connection c = DriverManager.getConnection(url, user, password.reveal())) {
            c.isValid(1);
        }
        catch (SQLException e) {
            throw unreachable(e);
        }
    }

    /** {@code error}, met connecting to this repository, as the one line that says what to fix. */
    public ConnectionFailure unreachable(Throwable error) {
        return ConnectionFailure.ofRepository(toString(), user, error);
    }

    @Override
    public String toString() {
        return Endpoint.masked(url);
    }

    /** A connection pool to the repository, {@code poolName} in Hikari's logs; opening it connects nothing yet. */
    public HikariDataSource pool(String poolName, int maximumSize) {
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(url);
        ds.setUsername(user);
        ds.setPassword(password.reveal());
        ds.setPoolName(poolName);
        ds.setMaximumPoolSize(maximumSize);
        return ds;
    }
}
