package io.livemigrate.catchup;

import io.livemigrate.engine.ChangeEvent;
import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.ChangeStream;
import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TableContents;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Catch-up never commits part of a source transaction on the target (docs/design.md, "Catch-up (details)"), also when
 * the stream pauses inside one (a large transaction decoded in pieces, a network hiccup) while whole source
 * transactions before it wait for their target commit: a pause long enough for the quiet-stream commit. A real server
 * cannot be made to pause on cue, so {@link PausingStream} wraps the engine's real stream, returns nothing for a while
 * after the first changes of chosen transactions, and reads the target from another connection during the pause. Every
 * source transaction moves money between accounts, so the target's total is invariant whatever it has committed.
 * Transaction sizes and where the pauses fall come from the seed; one transaction is larger than parallel apply holds
 * ({@link ParallelApplyPipeline#HOLD_CHANGES}), so it is streamed to its worker, and paused before or after that.
 */
class PauseInsideSourceTransactionTest {

    private static final int ACCOUNTS = 3_000;
    private static final long BALANCE = 1_000_000;
    private static final long TOTAL = ACCOUNTS * BALANCE;
    private static final int PAUSES = 3;

    @TempDir
    Path dir;

    static Stream<Arguments> cases() {
        return Stream.of(Arguments.of("postgresql", 1L, 1), Arguments.of("postgresql", 2L, 1),
                Arguments.of("postgresql", 3L, 3), Arguments.of("postgresql", 4L, 3),
                Arguments.of("mariadb", 1L, 1), Arguments.of("mariadb", 2L, 3));
    }

    @ParameterizedTest(name = "{0}, seed {1}, {2} apply connection(s)")
    @MethodSource("cases")
    void theTargetHoldsNoneOrAllOfTheSourceTransactionTheStreamPausedIn(String engine, long seed, int applyThreads)
            throws Exception {
        boolean mysql = engine.equals("mariadb");
        MigrationFixture m = new MigrationFixture(mysql ? TestDatabases.mariadb() : TestDatabases.postgres(), dir,
                "pause" + (mysql ? "my" : "pg") + seed + "t" + applyThreads).applyThreads(applyThreads);
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL)", mysql
                    ? "INSERT INTO accounts SELECT seq, " + BALANCE + " FROM seq_1_to_" + ACCOUNTS
                    : "INSERT INTO accounts SELECT g, " + BALANCE + " FROM generate_series(1, " + ACCOUNTS + ") g");
        }
        assertThat(m.run("copy")).as(m.output()).isZero();
        // past the copy's end (its deferred constraints built), so the run below streams from one opening
        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();

        Random random = new Random(seed);
        List<List<Integer>> transfers = transfers(random);
        Map<Integer, Integer> pauses = pauses(random, transfers);
        try (Connection s = m.source()) {
            for (List<Integer> accounts : transfers) {
                transfer(s, accounts, 1 + random.nextInt(100));
            }
        }
        List<Long> totals = Collections.synchronizedList(new ArrayList<>());
        CatchupTasklet.streamDecorator = stream -> new PausingStream(stream, pauses, () -> totals.add(total(m)));
        try {
            assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
        }
        finally {
            CatchupTasklet.streamDecorator = UnaryOperator.identity();
        }
        assertThat(totals).as("the target's total while the stream paused (transaction number: changes before the "
                + "pause %s, sizes %s)", pauses, transfers.stream().map(List::size).toList())
                .hasSize(PAUSES).containsOnly(TOTAL);
        try (Connection s = m.source(); Connection t = m.target()) {
            List<String> expected = mysql ? TableContents.mysql(s, m.sourceDatabase() + ".accounts", "id")
                    : TableContents.postgres(s, "accounts", "id");
            assertThat(mysql ? TableContents.mysql(t, m.targetDatabase() + ".accounts", "id")
                    : TableContents.postgres(t, "accounts", "id")).isEqualTo(expected).hasSize(ACCOUNTS);
        }
    }

    /**
     * Ten to fifteen transfers, each the accounts it touches, the first paying the others: 2 to 40 accounts, one
     * (never the first) more than parallel apply holds.
     */
    private static List<List<Integer>> transfers(Random random) {
        int count = 10 + random.nextInt(6);
        int large = 1 + random.nextInt(count - 1);
        List<Integer> ids = new ArrayList<>(IntStream.rangeClosed(1, ACCOUNTS).boxed().toList());
        List<List<Integer>> transfers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int size = i == large ? ParallelApplyPipeline.HOLD_CHANGES + 100 + random.nextInt(500)
                    : 2 + random.nextInt(39);
            Collections.shuffle(ids, random);
            transfers.add(List.copyOf(ids.subList(0, size)));
        }
        return transfers;
    }

    /**
     * Where the stream pauses: by transaction number in the stream (1 is the first with changes), how many of its
     * changes arrive first (at least one, never all). Never in the first transaction, so whole ones wait before the
     * pause; always in the large one, before or after parallel apply starts streaming it.
     */
    private static Map<Integer, Integer> pauses(Random random, List<List<Integer>> transfers) {
        Map<Integer, Integer> pauses = new TreeMap<>();
        for (int i = 1; i < transfers.size(); i++) {
            int size = transfers.get(i).size();
            if (size > ParallelApplyPipeline.HOLD_CHANGES) {
                int held = ParallelApplyPipeline.HOLD_CHANGES;
                pauses.put(i + 1, random.nextBoolean() ? 1 + random.nextInt(held)
                        : held + 1 + random.nextInt(size - held - 1));
            }
        }
        while (pauses.size() < PAUSES) {
            int i = 1 + random.nextInt(transfers.size() - 1);
            pauses.putIfAbsent(i + 1, 1 + random.nextInt(transfers.get(i).size() - 1));
        }
        return pauses;
    }

    /** One source transaction: the first account pays {@code amount} to each of the others. */
    private static void transfer(Connection s, List<Integer> accounts, int amount) throws SQLException {
        s.setAutoCommit(false);
        try (PreparedStatement ps = s.prepareStatement("UPDATE accounts SET balance = balance + ? WHERE id = ?")) {
            for (int i = 0; i < accounts.size(); i++) {
                ps.setLong(1, i == 0 ? -(long) amount * (accounts.size() - 1) : amount);
                ps.setInt(2, accounts.get(i));
                ps.addBatch();
            }
            ps.executeBatch();
        }
        s.commit();
        s.setAutoCommit(true);
    }

    private static long total(MigrationFixture m) throws SQLException {
        try (Connection t = m.target(); Statement st = t.createStatement();
             ResultSet rs = st.executeQuery("SELECT sum(balance) FROM accounts")) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(1);
        }
    }

    /** Reads the target while the stream is paused. */
    interface Observer {
        void paused() throws SQLException;
    }

    /**
     * The engine's stream, pausing inside chosen source transactions: after {@code pauses.get(n)} changes of the
     * n-th transaction with changes, polls return nothing until catch-up has been through its quiet-stream path with
     * the stream quiet for {@link TargetTransactionPolicy#QUIET_COMMIT_NANOS}; then the observer reads the target,
     * and the stream goes on.
     */
    static final class PausingStream implements ChangeStream {

        private final ChangeStream stream;
        private final Map<Integer, Integer> pauses;
        private final Observer observer;
        private int transactions;
        private int changes;
        private boolean paused;
        private long pausedAt;
        private int quietPolls;

        PausingStream(ChangeStream stream, Map<Integer, Integer> pauses, Observer observer) {
            this.stream = stream;
            this.pauses = pauses;
            this.observer = observer;
        }

        @Override
        public ChangeEvent poll(Duration timeout) throws SQLException {
            if (paused) {
                return pausedPoll(timeout);
            }
            ChangeEvent event = stream.poll(timeout);
            if (event instanceof ChangeEvent.Begin) {
                changes = 0;
            }
            else if (event instanceof ChangeEvent.Change) {
                if (changes++ == 0) {
                    transactions++;
                }
                if (pauses.getOrDefault(transactions, -1) == changes) {
                    paused = true;
                    pausedAt = -1;
                    quietPolls = 0;
                }
            }
            return event;
        }

        /**
         * Nothing arrives within {@code timeout}. The tasklet's loop reads its clock before it polls, and the stream
         * counts as quiet from the first empty poll's pass: the first poll made {@code QUIET_COMMIT_NANOS} after the
         * first empty one may belong to a pass that read its clock earlier, the second belongs to a pass that finds
         * the stream quiet long enough (and commits what it commits once this poll returns nothing), and the third
         * comes once that pass has ended.
         */
        private ChangeEvent pausedPoll(Duration timeout) throws SQLException {
            long now = System.nanoTime();
            if (pausedAt < 0) {
                pausedAt = now;
            }
            if (now - pausedAt >= TargetTransactionPolicy.QUIET_COMMIT_NANOS && ++quietPolls == 3) {
                observer.paused();
                paused = false;
                return stream.poll(timeout);
            }
            LockSupport.parkNanos(timeout.toNanos()); // a poll that finds nothing waits its timeout
            return null;
        }

        @Override
        public void acknowledge(ChangePosition applied) throws SQLException {
            stream.acknowledge(applied);
        }

        @Override
        public Optional<ChangePosition> idlePosition() throws SQLException {
            return stream.idlePosition();
        }

        @Override
        public long bytesBehind() throws SQLException {
            return stream.bytesBehind();
        }

        @Override
        public void close() throws SQLException {
            stream.close();
        }
    }
}
