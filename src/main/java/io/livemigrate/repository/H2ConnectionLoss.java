package io.livemigrate.repository;

import java.sql.SQLException;

/**
 * What a connection to an H2 repository says once it has lost its server: the process that served the file to the
 * others (AUTO_SERVER) exited, or a standalone H2 server stopped. The session is gone for good: H2 reconnects by itself
 * only between transactions ({@code AUTO_RECONNECT}, which AUTO_SERVER implies), and a connection that failed inside
 * one answers every later call with "Database is already closed". Hikari knows neither error code (their SQL states
 * are H2's own, not class 08), so it does not evict such a connection by itself; {@link ReconnectingJobRepository}
 * has the pool's connections evicted when it meets one.
 */
final class H2ConnectionLoss {

    /** "Connection is broken": the server's socket closed, or the session was closed under a transaction. */
    static final int CONNECTION_BROKEN = 90067;
    /** "Database is already closed": any use of a connection whose remote session ended. */
    static final int CLOSED = 90121;
    /** "The database has been closed". */
    static final int DATABASE_CLOSED = 90098;

    private H2ConnectionLoss() {
    }

    /** Whether {@code e}, or one of its causes, comes from a connection that lost its H2 server. */
    static boolean lost(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && (sql.getErrorCode() == CONNECTION_BROKEN || sql.getErrorCode() == CLOSED
                    || sql.getErrorCode() == DATABASE_CLOSED)) {
                return true;
            }
        }
        return false;
    }
}
