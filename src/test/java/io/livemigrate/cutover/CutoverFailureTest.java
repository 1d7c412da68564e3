package io.livemigrate.cutover;

import io.livemigrate.catchup.CatchupJobConfiguration;
import io.livemigrate.demo.EmbeddedServer;
import io.livemigrate.repository.MigrationHistory.StepRun;
import io.livemigrate.repository.RepositoryLockRetry;
import io.livemigrate.testing.AppWriter;
import io.livemigrate.testing.CatchupLag;
import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TestDatabases;
import io.livemigrate.testing.TestServer;
import org.h2.engine.SessionRemote;
import org.h2.jdbc.JdbcConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cutover's failure paths on embedded PostgreSQL with {@code fence: read-only} (the application's role) and
 * {@code switch: command} (a script that rewrites the application's config file, which {@link AppWriter} follows),
 * while the application inserts the whole time: a switch command that fails is rolled back, and a cutover JVM
 * killed with SIGKILL between every pair of steps (and inside the switch) is finished or rolled back by the next
 * {@code cutover}, with every acknowledged insert on whichever side is primary at the end.
 *
 * <p>Where to kill: {@code cutover --hold-before STEP --hold-file F}, a documented operator feature (a go/no-go gate
 * before the fence, and rehearsing recovery on staging, as here), holds after the previous step has completed and
 * before STEP does any work, for as long as F exists. The test waits for the held run's "holding before" line and
 * kills it there, so each kill lands exactly between two steps, with no hook that exists only for tests. Inside the
 * switch the script itself blocks on a file. Polling the job repository for "step k COMPLETED" and killing then
 * would be racy: steps 4 to 8 take milliseconds, so most kills would land later than meant.
 */
class CutoverFailureTest {

    private static final String APP_ROLE = "cutover_app";
    private static final String CATCHUP = CatchupJobConfiguration.JOB_NAME;
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final String LATEST_CUTOVER = "SELECT MAX(e.JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION e JOIN "
            + "BATCH_JOB_INSTANCE i ON i.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID WHERE i.JOB_NAME = '"
            + CutoverJobConfiguration.JOB_NAME + "'";

    @TempDir
    Path dir;

    @Test
    void failingSwitchCommandRollsBackAndTheNextCutoverSucceeds() throws Exception {
        try (Migration mig = Migration.start(dir, "cutfailsw")) {
            Files.writeString(dir.resolve("fail-switch"), "");
            assertThat(mig.m.run("cutover", "--skip-verify")).as(mig.m.output()).isEqualTo(1);
            assertThat(mig.m.output()).contains("the switch command exited with 3").contains("rolled back")
                    .contains("switch undone").contains("fence lifted");
            // the script had updated the registry (its first part) before failing: the undo put it back
            assertThat(Files.readString(dir.resolve("registry"))).isEqualTo(mig.m.sourceDatabase());
            mig.assertSourceInService();

            Files.delete(dir.resolve("fail-switch"));
            // the next cutover, through the go/no-go gate: held before its fence until the hold file is deleted
            Held gated = mig.cutover("2-fence");
            Files.delete(dir.resolve("hold"));
            assertThat(gated.process().waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(gated.process().exitValue()).as(gated.log()).isZero();
            assertThat(gated.log()).as("a rolled-back run is not finished but replaced by a new run")
                    .doesNotContain("finishing it").contains("going on with 2-fence").contains("3/9 drained");
            mig.assertCatchupEnded(gated);
            mig.assertTrafficOnTargetAndNothingLost();
        }
    }

    @Test
    void killedBetweenEveryPairOfStepsTheNextCutoverFinishesOrRollsBackAndNothingIsLost() throws Exception {
        try (Migration mig = Migration.start(dir, "cutkill")) {
            // after 2-fence: writes fenced when the JVM dies
            mig.killHeld(mig.cutover("3-drain"), "3-drain");

            // after 1-preconditions; on the way the rerun rolled the fenced run back: look at that state first
            Held rerun = mig.cutover("2-fence");
            assertThat(rerun.log()).contains("died before its switch: rolled back").contains("fence lifted");
            mig.assertSourceInService();
            mig.killHeld(rerun, "2-fence");

            for (String step : new String[] {"4-reverify", "5-sequences", "6-reverse-stream", "7-switch"}) {
                Held held = mig.cutover(step);
                assertThat(held.log()).contains("died before its switch: rolled back");
                mig.killHeld(held, step);
            }

            // inside 7-switch: the command blocks until block-switch is deleted
            Files.writeString(dir.resolve("block-switch"), "");
            Held switching = mig.startCutover("8-unfence");
            awaitFile(dir.resolve("switch-started"), switching);
            mig.kill(switching, "7-switch");
            Files.delete(dir.resolve("block-switch")); // the orphaned script goes on too, as it would in production

            // after 7-switch and after 8-unfence: the reruns finish the run rather than roll it back
            Held finishing = mig.cutover("8-unfence");
            assertThat(finishing.log()).contains("stopped after its switch began: finishing it");
            mig.killHeld(finishing, "8-unfence");
            finishing = mig.cutover("9-retire-stream");
            assertThat(finishing.log()).contains("finishing it");
            mig.killHeld(finishing, "9-retire-stream");

            assertThat(mig.m.run("cutover", "--skip-verify")).as(mig.m.output()).isZero();
            assertThat(mig.m.output()).contains("finishing it");
            mig.assertTrafficOnTargetAndNothingLost();
            System.out.println("cutover killed 9 times: " + mig.kills);
        }
    }

    /**
     * The default job repository is an H2 file that the process which opened it first serves to the others: here
     * the catch-up, which every cutover ends. When it exits while the cutover is inside a repository transaction,
     * the cutover must still finish and record itself COMPLETED: its traffic switched. To land the exit inside a
     * transaction every time, the test (another client of the same server) locks the cutover's job context row
     * while the cutover is held before 8-unfence, lets it go on until it waits for that lock in recording the
     * lifted fence, and only then stops the catch-up (SIGTERM, the graceful stop step 9 would ask for).
     */
    @Test
    void aCutoverOutlivesTheProcessServingItsH2RepositoryExitingUnderItsWrite() throws Exception {
        try (Migration mig = Migration.start(dir, "cutsrv")) {
            try (Connection c = mig.repository()) {
                // the cutover's sessions wait for the test's lock for as long as the catch-up takes to stop
                execute(c, "SET DEFAULT_LOCK_TIMEOUT 300000");
            }
            Held held = mig.cutover("8-unfence");
            Connection locker = mig.repository();
            try {
                assertThat(locker.unwrap(JdbcConnection.class).getSession())
                        .as("the test reaches the repository through another process: the catch-up")
                        .isInstanceOf(SessionRemote.class);
                locker.setAutoCommit(false);
                execute(locker, "SELECT c.JOB_EXECUTION_ID FROM BATCH_JOB_EXECUTION_CONTEXT c WHERE "
                        + "c.JOB_EXECUTION_ID = (" + LATEST_CUTOVER + ") FOR UPDATE");
                Files.delete(dir.resolve("hold"));
                awaitBlockedBy(locker, held);
                mig.catchup.destroy();
                assertThat(mig.catchup.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            }
            finally {
                closeQuietly(locker);
            }
            assertThat(held.process().waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(held.process().exitValue()).as(held.log()).isZero();
            assertThat(held.log()).as("the catch-up's exit reached the cutover inside a repository write")
                    .contains("connection lost").contains("reconnected; updateExecutionContext done");
            held.log().lines().filter(l -> l.contains("job repository")).forEach(System.out::println);
            Map<String, String> steps = mig.lastRunSteps();
            assertThat(steps).as(held.log()).containsOnlyKeys(CutoverJobConfiguration.STEPS.get(0),
                    CutoverPause.STEP, "9-retire-stream");
            assertThat(steps.values()).as(held.log()).containsOnly("COMPLETED");
            assertThat(mig.lastRunStatus()).as(held.log()).isEqualTo("COMPLETED");
            mig.assertTrafficOnTargetAndNothingLost();
        }
    }

    /**
     * A catch-up that died (kill -9) leaves its execution STARTED in the job repository, and nothing will ever end
     * it. Step 9 must tell so from its recorded owner (host and pid) and mark it failed, as a command run again does
     * before it restarts a dead job, rather than ask it to stop and take the STOPPED that Spring Batch writes on the
     * job at once for its end (its step would read STARTED for ever), or wait for an end that cannot come.
     */
    @Test
    void aCatchupKilledBeforeStepNineIsFoundGoneAndTheCutoverFinishes() throws Exception {
        try (Migration mig = Migration.start(dir, "cutdead")) {
            Held held = mig.cutover("9-retire-stream");
            long catchup = mig.m.lastRun(CATCHUP).executionId();
            mig.catchup.destroyForcibly();
            assertThat(mig.catchup.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(mig.m.lastRun(CATCHUP).status()).as("a killed process leaves its execution running")
                    .isEqualTo("STARTED");

            Files.delete(dir.resolve("hold"));
            assertThat(held.process().waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
            assertThat(held.process().exitValue()).as(held.log()).isZero();
            assertThat(held.log()).contains("9/9 catch-up of " + mig.m.planName() + " (execution " + catchup
                    + ") had ended without a stop: its process " + mig.catchup.pid() + " on this host is gone");
            assertThat(mig.m.lastRun(CATCHUP).status()).as(held.log()).isEqualTo("FAILED");
            assertThat(mig.m.lastSteps(CATCHUP)).extracting(StepRun::status).as(held.log()).containsOnly("FAILED");
            assertThat(mig.lastRunSteps().values()).as(held.log()).containsOnly("COMPLETED");
            assertThat(mig.lastRunStatus()).as(held.log()).isEqualTo("COMPLETED");
            mig.assertTrafficOnTargetAndNothingLost();
        }
    }

    /** The locker's session ended with the server that held it: closing it may fail, as the test meant. */
    private static void closeQuietly(Connection locker) {
        try {
            locker.close();
        }
        catch (SQLException serverGone) {
            // nothing left to close
        }
    }

    /** Waits until a session of the repository's server waits for {@code locker}'s lock. */
    private static void awaitBlockedBy(Connection locker, Held held) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (true) {
            try (var st = locker.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE BLOCKER_ID = SESSION_ID()")) {
                rs.next();
                if (rs.getLong(1) > 0) {
                    return;
                }
            }
            if (!held.process().isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("the cutover never waited for the test's lock:\n" + held.log());
            }
            Thread.sleep(50);
        }
    }

    @Test
    void holdBeforeAStepThatDoesNotExistIsBadUsage() throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.postgres(), dir, "cuthold");
        assertThat(m.run("cutover", "--hold-before", "10", "--hold-file", dir.resolve("hold").toString())).isEqualTo(2);
        assertThat(m.output()).contains("--hold-before needs one of");
        assertThat(m.run("cutover", "--hold-before", "7")).isEqualTo(2);
        assertThat(m.repositoryExists()).as("nothing ran").isFalse();
    }

    /** A cutover child JVM and its log. */
    record Held(Process process, Path logFile) {
        String log() throws java.io.IOException {
            return Files.readString(logFile);
        }
    }

    /**
     * One migration: a table the application inserts into, the plan with the read-only fence and the command switch,
     * the copy done, catch-up running in a child JVM and caught up, and the application writing to the source.
     */
    private static final class Migration implements AutoCloseable {

        final MigrationFixture m;
        final Path dir;
        final AppWriter app;
        final Process catchup;
        final Map<String, String> kills = new LinkedHashMap<>();
        private int runs;

        private Migration(MigrationFixture m, Path dir, AppWriter app, Process catchup) {
            this.m = m;
            this.dir = dir;
            this.app = app;
            this.catchup = catchup;
        }

        static Migration start(Path dir, String prefix) throws Exception {
            EmbeddedServer pg = TestDatabases.postgres();
            MigrationFixture m = new MigrationFixture(pg, dir, prefix);
            try (Connection s = m.source()) {
                execute(s, "CREATE TABLE orders (id bigserial PRIMARY KEY, note text NOT NULL)",
                        "INSERT INTO orders (note) SELECT 'before' FROM generate_series(1, 500)",
                        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + APP_ROLE + "') THEN "
                                + "CREATE ROLE " + APP_ROLE + " LOGIN PASSWORD 'app'; END IF; END $$");
                grantApp(s);
            }
            Files.writeString(dir.resolve("app.conf"), m.sourceDatabase());
            Path script = dir.resolve("switch.sh");
            // The operator's switch: part 1 updates a service registry, part 2 the application's config (atomically).
            // fail-switch makes part 2 fail on the way to the target; block-switch holds the switch to the target.
            Files.writeString(script, """
                    cd '%s'
                    printf %%s "$TARGET_DATABASE" > registry
                    if [ "$TARGET_DATABASE" = '%s' ]; then
                      touch switch-started
                      while [ -e block-switch ]; do sleep 0.05; done
                      [ -e fail-switch ] && exit 3
                    fi
                    printf %%s "$TARGET_DATABASE" > app.conf.tmp && mv app.conf.tmp app.conf
                    """.formatted(dir, m.targetDatabase()));
            PostgresCutoverTest.appendCutover(m, "fence: read-only\n  switch: command\n  app-roles: [" + APP_ROLE
                    + "]\n  max-pause: 10s\n  max-lag: 30s\n  command: \"sh " + script + "\"\n");
            assertThat(m.run("copy")).as(m.output()).isZero();
            try (Connection t = m.target()) {
                grantApp(t);
            }
            AppWriter app = new AppWriter(TestServer.of(pg)::jdbcUrl, APP_ROLE, "app", dir.resolve("app.conf"),
                    "INSERT INTO orders (note) VALUES ('app')");
            Process catchup = m.start("catchup");
            Migration mig = new Migration(m, dir, app, catchup);
            m.awaitCatchupApplying(catchup);
            CatchupLag.awaitUnder(m, m.planName(), 30.0, catchup, () -> { }); // the application's writes nudge it
            app.awaitWrites(m.sourceDatabase(), 20, PATIENCE);
            assertThat(appCanInsert(m.source())).as("no fence before the cutover").isTrue();
            return mig;
        }

        private static void grantApp(Connection c) throws SQLException {
            execute(c, "GRANT SELECT, INSERT ON orders TO " + APP_ROLE,
                    "GRANT USAGE ON SEQUENCE orders_id_seq TO " + APP_ROLE);
        }

        /** Starts {@code cutover} in a child JVM held before {@code step}, and waits until it holds there. */
        Held cutover(String step) throws Exception {
            Held held = startCutover(step);
            Process p = held.process();
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (!held.log().contains("holding before " + step)) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("cutover did not hold before " + step + ":\n" + held.log());
                }
                Thread.sleep(50);
            }
            return held;
        }

        /** Starts {@code cutover} in a child JVM that will hold before {@code step}. */
        Held startCutover(String step) throws Exception {
            Path hold = dir.resolve("hold");
            Files.writeString(hold, "");
            Path log = dir.resolve("cutover-" + (++runs) + ".log");
            return new Held(m.start("cutover", "-Xmx256m", log, "--skip-verify", "--hold-before", step,
                    "--hold-file", hold.toString()), log);
        }

        /**
         * SIGKILL while held before {@code step}: the previous step completed, this one was running, idle. Steps 2 to 8
         * are phases of one Spring Batch step, which is running whichever of them is held.
         */
        void killHeld(Held held, String step) throws Exception {
            kill(held, step);
            String previous = CutoverJobConfiguration.STEPS.get(CutoverJobConfiguration.STEPS.indexOf(step) - 1);
            Map<String, String> steps = lastRunSteps();
            assertThat(steps).containsEntry(batchStep(step), "STARTED");
            if (!batchStep(previous).equals(batchStep(step))) {
                assertThat(steps).containsEntry(batchStep(previous), "COMPLETED");
            }
        }

        /** The Spring Batch step a cutover step runs in. */
        static String batchStep(String step) {
            int number = Integer.parseInt(step.substring(0, step.indexOf('-')));
            return number >= 2 && number <= 8 ? CutoverPause.STEP : step;
        }

        /** SIGKILL (Process.destroyForcibly on Linux) while {@code running} runs; records where it landed. */
        void kill(Held held, String running) throws Exception {
            held.process().destroyForcibly();
            assertThat(held.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            Map<String, String> steps = lastRunSteps();
            assertThat(steps).as(held.log()).containsEntry(batchStep(running), "STARTED");
            kills.put(held.logFile().getFileName().toString(), "during " + running + " " + steps);
        }

        /** Step name to status of the cutover job's latest execution, from the job repository. */
        Map<String, String> lastRunSteps() throws Exception {
            Map<String, String> steps = new LinkedHashMap<>();
            try (Connection c = repository();
                 PreparedStatement ps = c.prepareStatement("SELECT s.STEP_NAME, s.STATUS FROM BATCH_STEP_EXECUTION s "
                         + "WHERE s.JOB_EXECUTION_ID = (" + LATEST_CUTOVER + ") ORDER BY s.STEP_EXECUTION_ID");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    steps.put(rs.getString(1), rs.getString(2));
                }
            }
            return steps;
        }

        /** The status the job repository records for the cutover job's latest execution. */
        String lastRunStatus() throws Exception {
            try (Connection c = repository(); var st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT STATUS FROM BATCH_JOB_EXECUTION WHERE JOB_EXECUTION_ID = (" + LATEST_CUTOVER + ")")) {
                return rs.next() ? rs.getString(1) : null;
            }
        }

        /**
         * Step 9 ended the catch-up: its step as well as its job no longer runs (Spring Batch writes STOPPED on the
         * job itself at once when asked to stop it, while the catch-up goes on until its step ends).
         */
        void assertCatchupEnded(Held cutover) throws Exception {
            assertThat(m.lastRun(CATCHUP).status()).as(cutover.log()).isEqualTo("STOPPED");
            assertThat(m.lastSteps(CATCHUP)).extracting(StepRun::status).as(cutover.log()).containsOnly("STOPPED");
        }

        /** A connection to the job repository, through whichever process serves the H2 file now. */
        Connection repository() throws SQLException {
            return RepositoryLockRetry.open(() -> DriverManager.getConnection(m.repositoryUrl(), "sa", ""));
        }

        /** Rolled back: the fence lifted exactly, the application configured for and writing to the source. */
        void assertSourceInService() throws Exception {
            assertThat(appCanInsert(m.source())).as("the application role's privileges on the source are back").isTrue();
            assertThat(Files.readString(dir.resolve("app.conf"))).isEqualTo(m.sourceDatabase());
            app.awaitWrites(m.sourceDatabase(), 20, PATIENCE);
        }

        /**
         * Finished: the application writes to the target, and every insert acknowledged on either side is on the
         * target (the source's were drained there before the switch). The source stays fenced.
         */
        void assertTrafficOnTargetAndNothingLost() throws Exception {
            assertThat(Files.readString(dir.resolve("app.conf"))).isEqualTo(m.targetDatabase());
            assertThat(Files.readString(dir.resolve("registry"))).isEqualTo(m.targetDatabase());
            app.awaitWrites(m.targetDatabase(), 20, PATIENCE);
            app.close();
            Set<Long> onTarget = new HashSet<>();
            try (Connection t = m.target(); var st = t.createStatement();
                 ResultSet rs = st.executeQuery("SELECT id FROM orders")) {
                while (rs.next()) {
                    onTarget.add(rs.getLong(1));
                }
            }
            Set<Long> fromSource = app.acknowledged(m.sourceDatabase());
            Set<Long> fromTarget = app.acknowledged(m.targetDatabase());
            assertThat(onTarget).as("inserts acknowledged by the source").containsAll(fromSource);
            assertThat(onTarget).as("inserts acknowledged by the target").containsAll(fromTarget);
            assertThat(appCanInsert(m.source())).as("the old primary stays fenced after the switch").isFalse();
            assertThat(appCanInsert(m.target())).isTrue();
            assertThat(catchup.waitFor(60, TimeUnit.SECONDS)).as("step 9 stopped catch-up").isTrue();
            System.out.println("acknowledged inserts: " + fromSource.size() + " on the source, " + fromTarget.size()
                    + " on the target, all on the target; " + app.refused() + " refused attempts");
        }

        @Override
        public void close() throws Exception {
            app.close();
            catchup.destroy();
            catchup.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Whether the application's role may insert into orders there: the read-only fence's trace. */
    static boolean appCanInsert(Connection c) throws SQLException {
        try (c; PreparedStatement ps = c.prepareStatement("SELECT has_table_privilege(?, 'orders', 'INSERT')")) {
            ps.setString(1, APP_ROLE);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private static void awaitFile(Path file, Held held) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!Files.exists(file)) {
            if (!held.process().isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError(file + " never appeared:\n" + held.log());
            }
            Thread.sleep(50);
        }
    }
}
