package io.livemigrate.testing;

import io.livemigrate.repository.MigrationHistory;
import io.livemigrate.repository.MigrationStatus;
import io.livemigrate.repository.RepositoryLocation;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Waits for a running catch-up (in a child JVM) to report, in the job repository, a lag under a bound: what the
 * cutover's preconditions read. A catch-up only measures lag when it applies something, so the wait makes a write
 * on the side catch-up reads from ({@code nudge}) each round.
 */
public final class CatchupLag {

    private CatchupLag() {
    }

    /** @param plan the plan name as the repository knows it ({@code <name>-reverse} for the reverse stream) */
    public static void awaitUnder(MigrationFixture m, String plan, double seconds, Process child, SqlAction nudge)
            throws Exception {
        RepositoryLocation location = RepositoryLocation.resolve(m.repositoryUrl(), Map.of(), m.dir());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        Double lag = null;
        while (System.nanoTime() < deadline && child.isAlive()) {
            nudge.run();
            Optional<MigrationHistory> history = MigrationHistory.open(location);
            if (history.isPresent()) {
                try (MigrationHistory h = history.get()) {
                    MigrationStatus.Catchup catchup = MigrationStatus.read(h, plan).catchup();
                    lag = catchup == null ? null : catchup.lagSeconds();
                    if (catchup != null && catchup.status().equals("STARTED") && lag != null && lag >= 0 && lag < seconds) {
                        return;
                    }
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError("catch-up of " + plan + " did not report a lag under " + seconds + " s (last: " + lag
                + "); its log:\n" + m.childLog("catchup"));
    }

    /**
     * {@link #awaitUnder} with a lag under a second, running {@code nudge} (a statement that changes a row) on
     * {@code side}, the side catch-up reads from, each round.
     */
    public static void awaitCaughtUp(MigrationFixture m, String plan, Process child, Side side, String nudge)
            throws Exception {
        awaitUnder(m, plan, 1.0, child, () -> {
            try (java.sql.Connection c = side.connect()) {
                TableContents.execute(c, nudge);
            }
        });
    }

    /** The side a catch-up reads from, e.g. {@code m::source}. */
    @FunctionalInterface
    public interface Side {
        java.sql.Connection connect() throws java.sql.SQLException;
    }

    @FunctionalInterface
    public interface SqlAction {
        void run() throws Exception;
    }
}
