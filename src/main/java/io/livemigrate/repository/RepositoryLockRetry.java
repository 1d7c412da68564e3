package io.livemigrate.repository;

import java.sql.SQLException;

/**
 * Retries opening the default H2 repository while another livemigrate process is becoming its server: with
 * AUTO_SERVER, two processes opening the file at the same moment race for the lock, and the loser is told the file is
 * "locked by another process" (H2 error 90020) for the few milliseconds the winner needs to start serving it; after
 * a killed owner, H2 refuses a lock file that was "recently modified" until it is a few seconds old; and a process
 * that opens the file just as its serving owner exits finds the owner's port closed ("Connection is broken", error
 * 90067, caused by a refused connection, or by an end of stream when the owner accepted the connection and then
 * closed it as it shut down) until it takes the file over itself on the next attempt.
 */
public final class RepositoryLockRetry {

    private static final int H2_LOCKED = 90020;
    private static final int H2_CONNECTION_BROKEN = 90067;
    private static final int ATTEMPTS = 40;

    /** Work that opens the repository. */
    public interface Open<T> {
        T open() throws SQLException;
    }

    private RepositoryLockRetry() {
    }

    public static <T> T open(Open<T> work) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                return work.open();
            }
            catch (SQLException | RuntimeException e) {
                // Hikari reports a failed first connection as a RuntimeException with the SQLException as cause.
                if (!locked(e) || attempt >= ATTEMPTS) {
                    throw e;
                }
                try {
                    Thread.sleep(250);
                }
                catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
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
