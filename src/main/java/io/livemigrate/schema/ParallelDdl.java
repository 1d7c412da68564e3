package io.livemigrate.schema;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Runs independent DDL statements on the target, a few at a time, each on its own connection. A statement whose
 * object already exists (an earlier attempt got that far) counts as done, so a failed step can simply be re-run.
 */
final class ParallelDdl {

    private ParallelDdl() {
    }

    /** Runs every statement; {@code done} hears of each one that now exists, as soon as it does. */
    static <T> void runAll(DataSource target, List<T> items, java.util.function.Function<T, String> sql, int threads,
                           Consumer<T> done) throws Exception {
        if (items.isEmpty()) {
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, items.size())));
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (T item : items) {
                futures.add(pool.submit(() -> {
                    run(target, sql.apply(item));
                    done.accept(item);
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        finally {
            pool.shutdownNow();
        }
    }

    private static void run(DataSource target, String sql) throws SQLException {
        try (Connection c = target.getConnection(); Statement st = c.createStatement()) {
            if (!c.getAutoCommit()) {
                c.setAutoCommit(true);
            }
            st.execute(sql);
        }
        catch (SQLException e) {
            if (!DdlErrors.alreadyExists(e)) {
                // The server's own message may quote row values (a duplicated key), which can be the application's
                // secrets: name the statement and the codes, and leave the server's text out of the chain.
                throw new SQLException("the target refused " + sql + " (SQLSTATE " + e.getSQLState() + ", error "
                        + e.getErrorCode() + ")", e.getSQLState(), e.getErrorCode());
            }
        }
    }
}
