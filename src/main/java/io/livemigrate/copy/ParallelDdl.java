package io.livemigrate.copy;

import io.livemigrate.core.MigrationResources;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs independent DDL statements on the target, a few at a time, each on its own connection. A statement whose
 * object already exists (an earlier attempt got that far) counts as done, so a failed step can simply be re-run.
 */
final class ParallelDdl {

    private ParallelDdl() {
    }

    static void runAll(MigrationResources resources, List<String> statements, int threads) throws Exception {
        if (statements.isEmpty()) {
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, statements.size()));
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (String sql : statements) {
                futures.add(pool.submit(() -> {
                    run(resources, sql);
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

    private static void run(MigrationResources resources, String sql) throws SQLException {
        try (Connection c = resources.target().getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
        catch (SQLException e) {
            if (!DdlErrors.alreadyExists(e)) {
                throw e;
            }
        }
    }
}
