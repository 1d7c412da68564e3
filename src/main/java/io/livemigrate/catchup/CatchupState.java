package io.livemigrate.catchup;

import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.Engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.Optional;

/**
 * The applied source position, kept on the target in {@code livemigrate.catchup_state}, one row per plan, written in
 * the same target transaction as the changes it covers (docs/design.md, rule 4): a restart resumes exactly after the last
 * committed source transaction, whatever the job repository says.
 */
public final class CatchupState {

    private static final String READ = "SELECT position FROM livemigrate.catchup_state WHERE plan = ?";
    private static final String UPDATE =
            "UPDATE livemigrate.catchup_state SET position = ?, commit_time = ?, applied_at = ? WHERE plan = ?";
    private static final String ADVANCE =
            "UPDATE livemigrate.catchup_state SET position = ?, applied_at = ? WHERE plan = ?";
    private static final String INSERT =
            "INSERT INTO livemigrate.catchup_state (position, commit_time, applied_at, plan) VALUES (?, ?, ?, ?)";

    private CatchupState() {
    }

    public static Optional<ChangePosition> read(Connection target, String plan) throws SQLException {
        try (PreparedStatement ps = target.prepareStatement(READ)) {
            ps.setString(1, plan);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(ChangePosition.parse(rs.getString(1))) : Optional.empty();
            }
        }
    }

    /**
     * Waits until the applied position of {@code plan} on {@code target} is at or past {@code mark}, polling every
     * {@code pollMillis} (a position, not a guess: it returns the moment catch-up commits past it), until
     * {@code deadlineMillis} ({@link System#currentTimeMillis()}). Returns the applied position once reached, empty at
     * the deadline; {@code lastSeen} receives what was applied when it gave up, for the message.
     */
    public static Optional<ChangePosition> awaitApplied(Connection target, String plan,
                                                        ChangePosition mark, long deadlineMillis, long pollMillis,
                                                        java.util.function.Consumer<Optional<ChangePosition>> lastSeen)
            throws SQLException, InterruptedException {
        while (true) {
            Optional<ChangePosition> applied = read(target, plan);
            if (applied.isPresent() && applied.get().reached(mark)) {
                return applied;
            }
            if (System.currentTimeMillis() >= deadlineMillis) {
                lastSeen.accept(applied);
                return Optional.empty();
            }
            Thread.sleep(pollMillis);
        }
    }

    /**
     * Makes everything catch-up has committed on {@code target} durable: its apply session may commit asynchronously,
     * and a switch must not send the application to a primary that could lose the drained transactions in a crash.
     * One durable commit flushes every commit before it.
     */
    public static void makeDurable(Connection target, Engine engine, String plan) throws SQLException {
        String durable = engine.durableCommitStatement();
        if (durable == null) {
            return;
        }
        boolean autoCommit = target.getAutoCommit();
        target.setAutoCommit(false);
        try (Statement st = target.createStatement();
             PreparedStatement ps = target.prepareStatement("UPDATE livemigrate.catchup_state SET applied_at = applied_at "
                     + "WHERE plan = ?")) {
            st.execute(durable);
            ps.setString(1, plan);
            ps.executeUpdate();
            target.commit();
        }
        finally {
            target.setAutoCommit(autoCommit);
        }
    }

    /** Records {@code position} inside the caller's open transaction. */
    public static void write(Connection target, String plan, ChangePosition position, Instant commitTime) throws SQLException {
        String[] values = {position.serialize(), commitTime == null ? null : commitTime.toString(),
                Instant.now().toString(), plan};
        if (execute(target, UPDATE, values) == 0) {
            execute(target, INSERT, values);
        }
    }

    /**
     * Moves the applied position on to {@code position} with nothing applied in between (an idle stream), keeping the
     * commit time of the last applied source transaction; inside the caller's open transaction.
     */
    public static void advance(Connection target, String plan, ChangePosition position) throws SQLException {
        if (execute(target, ADVANCE, new String[] {position.serialize(), Instant.now().toString(), plan}) == 0) {
            // catch-up writes the row when it first starts; without it there is nothing to advance from
            throw new IllegalStateException("livemigrate.catchup_state on the target has no row for plan " + plan);
        }
    }

    private static int execute(Connection c, String sql, String[] values) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                ps.setString(i + 1, values[i]);
            }
            return ps.executeUpdate();
        }
    }
}
