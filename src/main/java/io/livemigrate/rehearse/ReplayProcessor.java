package io.livemigrate.rehearse;

import io.livemigrate.core.MigrationResources;
import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.Endpoint;
import io.livemigrate.engine.RehearsalDialect;
import io.livemigrate.ops.Throttle;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemProcessor;
import org.springframework.batch.infrastructure.item.ItemStream;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Replays one statement at a matched position: on the source, then (when catch-up runs and the result is comparable)
 * a source position after it and the wait until catch-up has applied past it, then on the target; the two results
 * are compared by count and canonical hash, errors by SQLSTATE. A disagreement is tried again, up to {@link #ROUNDS}
 * rounds, as verification does with rows in flux: only one that persists in every round is a difference.
 *
 * <p>Each side replays in a session of its own that looks like the application's: the logged user (where the engine
 * can switch), the session's logged settings, server defaults otherwise; every statement inside a read-only
 * transaction that is rolled back, so nothing the classifier let through can write. One processor per partition
 * thread; it paces the source through the shared {@link Throttle}.
 */
class ReplayProcessor implements ItemProcessor<ReplayItem, ReplayOutcome>, ItemStream {

    static final int ROUNDS = 3;
    static final int SHOWN_ROWS = 5;
    private static final Duration CATCHUP_WAIT = Duration.ofSeconds(30);
    private static final int QUERY_TIMEOUT_SECONDS = 300;

    private final MigrationResources resources;
    private final RehearsalDialect dialect;
    private final MatchedPosition matched;
    private final boolean compare;
    private final Throttle throttle;
    private final Side source;
    private final Side target;

    /**
     * @param matched null when catch-up is not running: every statement is then timed, none compared
     */
    ReplayProcessor(MigrationResources resources, MatchedPosition matched, Throttle throttle) {
        this.resources = resources;
        this.dialect = resources.engine().rehearsal();
        this.matched = matched;
        this.compare = matched != null;
        this.throttle = throttle;
        this.source = new Side(resources.plan().source());
        this.target = new Side(resources.plan().target());
    }

    @Override
    public ReplayOutcome process(ReplayItem item) throws Exception {
        Classification c = item.classification();
        switch (c.action()) {
            case SKIP:
                return ReplayOutcome.of(ReplayOutcome.Kind.SKIPPED, item, c.reason());
            case SETTING:
                return ReplayOutcome.of(ReplayOutcome.Kind.SETTING, item, null);
            default:
                break;
        }
        if (!item.sampled()) {
            return ReplayOutcome.of(ReplayOutcome.Kind.NOT_SAMPLED, item, null);
        }
        boolean comparing = compare && c.comparable();
        long sourceMicros = -1;
        long targetMicros = -1;
        boolean inFlux = false;
        ReplayOutcome.Difference difference = null;
        String notCompared = compare ? c.notComparable() : "catch-up is not running";
        for (int round = 1; round <= ROUNDS; round++) {
            throttle.awaitGo();
            throttle.account(1);
            Result s = source.run(item, c.ordered());
            long finished = System.nanoTime();
            if (comparing) {
                ChangePosition mark = matched.markAfter(finished);
                if (!matched.awaitApplied(mark, CATCHUP_WAIT)) {
                    comparing = false;
                    notCompared = "catch-up did not apply past the source position within " + CATCHUP_WAIT.toSeconds()
                            + " s";
                }
            }
            Result t = target.run(item, c.ordered());
            if (round == 1) {
                sourceMicros = s.micros;
                targetMicros = t.micros;
            }
            if (!comparing) {
                return new ReplayOutcome(ReplayOutcome.Kind.TIMED, c.fingerprint(), notCompared, item.statement().sql(),
                        item.statement().parameters(), item.settings(), item.statement().user(), sourceMicros,
                        targetMicros, false, null);
            }
            difference = differ(s, t, c.ordered());
            if (difference == null) {
                break;
            }
            inFlux = round < ROUNDS;
        }
        return new ReplayOutcome(ReplayOutcome.Kind.COMPARED, c.fingerprint(), null, item.statement().sql(),
                item.statement().parameters(), item.settings(), item.statement().user(), sourceMicros, targetMicros,
                inFlux && difference == null, difference);
    }

    private static ReplayOutcome.Difference differ(Result s, Result t, boolean ordered) {
        if (s.sqlState != null || t.sqlState != null) {
            if (Objects.equals(s.sqlState, t.sqlState)) {
                return null;
            }
            return new ReplayOutcome.Difference("ERROR", "source " + describe(s) + "; target " + describe(t));
        }
        if (s.rows.sameAs(t.rows)) {
            return null;
        }
        List<String> rows = CanonicalRows.firstDifferences(s.rows, t.rows, ordered, SHOWN_ROWS);
        String detail = "source " + s.rows.count + " row(s), target " + t.rows.count + " row(s)"
                + (s.rows.count == t.rows.count && rows.isEmpty() ? " with the same rows in another order" : "")
                + (rows.isEmpty() ? "" : ": " + String.join("; ", rows));
        return new ReplayOutcome.Difference("RESULT", detail);
    }

    private static String describe(Result r) {
        return r.sqlState == null ? "succeeded (" + r.rows.count + " row(s))"
                : "failed with SQLSTATE " + r.sqlState + " (" + r.message + ")";
    }

    /** One side's outcome: rows, or the error's SQLSTATE and message; time in microseconds. */
    private record Result(CanonicalRows rows, String sqlState, String message, long micros) {
    }

    /** The replay session of one side, its applied settings and role. */
    private final class Side {
        private final Endpoint endpoint;
        private Connection session;
        private List<String> applied = List.of();
        private String actingAs;

        Side(Endpoint endpoint) {
            this.endpoint = endpoint;
        }

        Result run(ReplayItem item, boolean ordered) throws SQLException {
            try {
                prepareSession(item);
            }
            catch (SQLException e) {
                rollbackQuietly();
                return new Result(null, state(e), "setting: " + e.getMessage(), -1);
            }
            long start = System.nanoTime();
            try (PreparedStatement ps = dialect.prepare(session, item.statement().sql(),
                    item.statement().parameters())) {
                ps.setQueryTimeout(QUERY_TIMEOUT_SECONDS);
                CanonicalRows rows;
                if (ps.execute()) {
                    try (ResultSet rs = ps.getResultSet()) {
                        rows = CanonicalRows.read(rs, ordered);
                    }
                }
                else {
                    rows = CanonicalRows.empty();
                }
                long micros = (System.nanoTime() - start) / 1000;
                session.rollback();
                return new Result(rows, null, null, micros);
            }
            catch (SQLException e) {
                long micros = (System.nanoTime() - start) / 1000;
                rollbackQuietly();
                if (session.isClosed() || e instanceof java.sql.SQLNonTransientConnectionException) {
                    close();
                    throw e;
                }
                return new Result(null, state(e), e.getMessage(), micros);
            }
        }

        /** Opens the session on first use and brings its role and settings to what the logged session had. */
        private void prepareSession(ReplayItem item) throws SQLException {
            List<String> settings = item.settings();
            boolean extends_ = settings.size() >= applied.size() && settings.subList(0, applied.size()).equals(applied);
            if (session != null && !extends_) {
                close(); // a setting was taken back or replaced: start from the server's defaults again
            }
            if (session == null) {
                session = dialect.openSession(endpoint);
                session.setAutoCommit(false);
                session.setReadOnly(true);
                applied = List.of();
                actingAs = null;
            }
            List<String> todo = new ArrayList<>();
            String user = item.statement().user();
            if (!Objects.equals(actingAs, user == null ? "" : user)) {
                todo.addAll(dialect.actAs(user, endpoint.user()));
            }
            todo.addAll(settings.subList(applied.size(), settings.size()));
            if (todo.isEmpty()) {
                return;
            }
            try (Statement st = session.createStatement()) {
                for (String sql : todo) {
                    st.execute(sql);
                }
            }
            session.commit();
            actingAs = user == null ? "" : user;
            applied = List.copyOf(settings);
        }

        private void rollbackQuietly() {
            try {
                if (session != null && !session.isClosed()) {
                    session.rollback();
                }
            }
            catch (SQLException ignored) {
                // the session is closed below if it is broken
            }
        }

        void close() {
            if (session != null) {
                try {
                    session.close();
                }
                catch (SQLException ignored) {
                    // closing anyway
                }
                session = null;
            }
        }
    }

    private static String state(SQLException e) {
        return e.getSQLState() == null ? "(none)" : e.getSQLState();
    }

    @Override
    public void open(ExecutionContext executionContext) {
    }

    @Override
    public void close() {
        source.close();
        target.close();
    }
}
