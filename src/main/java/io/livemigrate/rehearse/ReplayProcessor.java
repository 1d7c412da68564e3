package io.livemigrate.rehearse;

import io.livemigrate.core.MigrationResources;
import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.Endpoint;
import io.livemigrate.engine.RehearsalDialect;
import io.livemigrate.ops.Throttle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 *
 * <p>A requested stop ({@link RehearsalStop}) ends every wait of a replay (throttle, catch-up) at once and cancels the
 * statement running on either side; the statement is then counted as not replayed ({@link ReplayOutcome.Kind#STOPPED}),
 * as is every statement of the chunk not started yet, so a stop takes at most a cancel and a chunk's commit.
 */
class ReplayProcessor implements ItemProcessor<ReplayItem, ReplayOutcome>, ItemStream {

    private static final Logger log = LoggerFactory.getLogger(ReplayProcessor.class);

    static final int ROUNDS = 3;
    static final int SHOWN_ROWS = 5;
    private static final Duration CATCHUP_WAIT = Duration.ofSeconds(30);
    private static final int QUERY_TIMEOUT_SECONDS = 300;

    private final MigrationResources resources;
    private final RehearsalDialect dialect;
    private final MatchedPosition matched;
    private final boolean compare;
    private final Throttle throttle;
    private final RehearsalStop stop;
    private final Side source;
    private final Side target;
    private RehearsalStop.Registration cancelOnStop;
    private boolean held;

    /**
     * @param matched null when catch-up is not running: every statement is then timed, none compared
     */
    ReplayProcessor(MigrationResources resources, MatchedPosition matched, Throttle throttle, RehearsalStop stop) {
        this.resources = resources;
        this.dialect = resources.engine().rehearsal();
        this.matched = matched;
        this.compare = matched != null;
        this.throttle = throttle;
        this.stop = stop;
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
        if (stop.requested()) {
            return stopped(item);
        }
        boolean comparing = compare && c.comparable();
        long sourceMicros = -1;
        long targetMicros = -1;
        boolean inFlux = false;
        ReplayOutcome.Difference difference = null;
        String notCompared = compare ? c.notComparable() : "catch-up is not running";
        for (int round = 1; round <= ROUNDS; round++) {
            announceHold();
            if (!throttle.awaitGo(stop::requested) || !throttle.account(1, stop::requested)) {
                return stopped(item);
            }
            Result s = source.run(item, c.ordered());
            long finished = System.nanoTime();
            if (stop.requested()) {
                return stopped(item);
            }
            if (comparing) {
                ChangePosition mark = matched.markAfter(finished);
                if (!matched.awaitApplied(mark, CATCHUP_WAIT, stop)) {
                    if (stop.requested()) {
                        return stopped(item);
                    }
                    comparing = false;
                    notCompared = "catch-up did not apply past the source position within " + CATCHUP_WAIT.toSeconds()
                            + " s";
                }
            }
            Result t = target.run(item, c.ordered());
            if (stop.requested()) {
                return stopped(item);
            }
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

    /** Says once per hold that this partition waits for the throttle, so a held rehearsal is not taken for a hang. */
    private void announceHold() {
        boolean holding = throttle.holding();
        if (holding && !held) {
            log.info("rehearse: {} waits: the throttle holds it ({})", Thread.currentThread().getName(),
                    throttle.settings().describe());
        }
        held = holding;
    }

    /** A statement a stop left unreplayed, or whose replay it cancelled: counted, never compared. */
    private static ReplayOutcome stopped(ReplayItem item) {
        return ReplayOutcome.of(ReplayOutcome.Kind.STOPPED, item, null);
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
        /** The statement executing now, for a stop to cancel. */
        private volatile Statement running;
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
                running = ps;
                if (stop.requested()) {
                    // the stop came after the processor's last check, and its canceller may have found nothing yet
                    // to cancel: do not start (the processor counts the statement as stopped)
                    running = null;
                    return new Result(null, null, "stopped", -1);
                }
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
                running = null;
                session.rollback();
                return new Result(rows, null, null, micros);
            }
            catch (SQLException e) {
                long micros = (System.nanoTime() - start) / 1000;
                running = null;
                rollbackQuietly();
                if (session.isClosed() || e instanceof java.sql.SQLNonTransientConnectionException) {
                    close();
                    if (!stop.requested()) {
                        throw e;
                    }
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

        /** Cancels the statement executing now, if any (called from the stop's thread). */
        void cancel() {
            Statement st = running;
            if (st != null) {
                try {
                    st.cancel();
                }
                catch (SQLException ignored) {
                    // finished or closed meanwhile, or the server refused: it ends by its query timeout
                }
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
        cancelOnStop = stop.onRequest(() -> {
            source.cancel();
            target.cancel();
        });
    }

    @Override
    public void close() {
        if (cancelOnStop != null) {
            cancelOnStop.close();
            cancelOnStop = null;
        }
        source.close();
        target.close();
    }
}
