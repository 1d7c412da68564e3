package io.livemigrate.copy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;

/**
 * Retries work that failed for a reason that goes away on its own: a deadlock or serialization failure chosen by the
 * server, a lock wait timeout. Safe for slice copies because each is idempotent (rule 3): the failed attempt rolled
 * back, and a retry replaces the same key range.
 */
final class TransientErrors {

    static final int ATTEMPTS = 5;
    private static final Logger log = LoggerFactory.getLogger(TransientErrors.class);

    interface Work<T> {
        /** @param attempt 1 for the first try */
        T run(int attempt) throws SQLException;
    }

    private TransientErrors() {
    }

    static <T> T retry(Work<T> work) throws SQLException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return work.run(attempt);
            }
            catch (SQLException e) {
                if (attempt >= ATTEMPTS || !isTransient(e)) {
                    throw e;
                }
                log.warn("transient error (SQLState {}, code {}), attempt {} of {}: retrying", e.getSQLState(),
                        e.getErrorCode(), attempt, ATTEMPTS);
                Thread.sleep(50L * attempt * attempt);
            }
        }
    }

    /** SQLState class 40 (transaction rollback: deadlock, serialization); MySQL 1213 deadlock, 1205 lock wait timeout. */
    static boolean isTransient(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return state.startsWith("40") || e.getErrorCode() == 1213 || e.getErrorCode() == 1205;
    }
}
