package io.livemigrate.repository;

import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;

import java.sql.SQLException;
import java.time.Duration;

/**
 * Retries opening the default H2 repository while another livemigrate process is becoming its server: with
 * AUTO_SERVER, two processes opening the file at the same moment race for the lock, and the loser is told the file is
 * "locked by another process" (H2 error 90020) for the few milliseconds the winner needs to start serving it; after
 * a killed owner, H2 refuses a lock file that was "recently modified" until it is a few seconds old; and a process
 * that opens the file just as its serving owner exits finds the owner's port closed ("Connection is broken", error
 * 90067, caused by a refused connection, or by an end of stream when the owner accepted the connection and then
 * closed it as it shut down) until it takes the file over itself on the next attempt.
 *
 * <p>Spring's SQL error translation has no category for these (its H2 codes leave 90020 and 90067 untranslated), so
 * the policy names them; Spring's {@link RetryTemplate} runs the attempts: 40 in all, 250 ms apart.
 */
public final class RepositoryLockRetry {

    private static final int H2_LOCKED = 90020;
    private static final int H2_CONNECTION_BROKEN = 90067;
    private static final int ATTEMPTS = 40;
    private static final RetryTemplate RETRY = new RetryTemplate(RetryPolicy.builder()
            .predicate(RepositoryLockRetry::locked)
            .maxRetries(ATTEMPTS - 1)
            .delay(Duration.ofMillis(250))
            .build());

    /** Work that opens the repository. */
    public interface Open<T> {
        T open() throws SQLException;
    }

    private RepositoryLockRetry() {
    }

    /**
     * Runs {@code work} until it succeeds, fails for another reason, or the attempts run out; then throws what the
     * last attempt threw. Interrupted while waiting, it throws the last failure with the thread's interrupt set.
     */
    public static <T> T open(Open<T> work) throws SQLException {
        try {
            return RETRY.execute(work::open);
        }
        catch (RetryException e) {
            // Hikari reports a failed first connection as a RuntimeException with the SQLException as cause.
            Throwable last = e.getCause();
            if (last instanceof SQLException sql) {
                throw sql;
            }
            if (last instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw (Error) last;
        }
    }

    /** H2's other answers while two processes race for the file (error 8000, "Error opening database"). */
    private static boolean openRace(SQLException e) {
        String message = String.valueOf(e.getMessage());
        return e.getErrorCode() == 8000 && (message.contains("Lock file recently modified")
                || message.contains("Another process was faster") || message.contains("Locked by another"));
    }

    private static boolean ownerGone(SQLException e) {
        return e.getErrorCode() == H2_CONNECTION_BROKEN && (e.getCause() instanceof java.net.ConnectException
                || e.getCause() instanceof java.io.EOFException);
    }

    static boolean locked(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && (sql.getErrorCode() == H2_LOCKED || openRace(sql) || ownerGone(sql))) {
                return true;
            }
        }
        return false;
    }
}
