package io.livemigrate.cutover;

import io.livemigrate.demo.EmbeddedMariaDbServer;
import io.livemigrate.plan.MigrationPlan;
import io.livemigrate.repository.MigrationHistory;
import io.livemigrate.testing.AcknowledgedInserts;
import io.livemigrate.testing.CatchupLag;
import io.livemigrate.testing.ExternalProcess;
import io.livemigrate.testing.HaproxyProcess;
import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * MariaDB cutover with the {@code read-only} fence and the {@code haproxy} switch, on two servers behind a real
 * HAProxy, while an application user without SUPER inserts through HAProxy the whole time: every insert it saw
 * acknowledged is on the target and nothing else is, it saw errors only while writes were fenced, afterwards its
 * writes land on the target, and the old primary stays read-only: the application's account cannot write there
 * through a new session or with START TRANSACTION READ WRITE. Then revert over the reverse stream: the same holds
 * the other way round.
 */
class MySqlCutoverTest {

    private static final String APP_USER = "app";
    private static final String APP_PASSWORD = "app-secret";
    private static final int INITIAL_ROWS = 1000;

    @TempDir
    Path dir;

    @Test
    void cutoverUnderWritesThroughHaproxyLosesNothingAndFailsOnlyWhileFenced() throws Exception {
        ExternalProcess.requireBinary(HaproxyProcess.BINARY);
        EmbeddedMariaDbServer sourceServer = TestDatabases.mariadb();
        EmbeddedMariaDbServer targetServer = TestDatabases.secondMariadb();
        MigrationFixture m = MigrationFixture.acrossServers(sourceServer, targetServer, dir, "mycut");
        String db = m.sourceDatabase();
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE log (id bigint AUTO_INCREMENT PRIMARY KEY, client int NOT NULL, "
                    + "at timestamp(3) NOT NULL DEFAULT current_timestamp(3))",
                    "INSERT INTO log (client) SELECT 0 FROM seq_1_to_" + INITIAL_ROWS);
        }
        for (Connection c : List.of(m.source(), m.target())) {
            try (c) {
                createAppUser(c, db);
            }
        }
        try (HaproxyProcess haproxy = HaproxyProcess.start(dir.resolve("haproxy"), sourceServer.port(),
                targetServer.port())) {
            m.appendToPlan("cutover:\n  fence: read-only\n  switch: haproxy\n  max-pause: 10s\n  max-lag: 5s\n"
                    + "  app-roles: [" + APP_USER + "]\n"
                    + "  haproxy: { admin: \"" + haproxy.adminAddress() + "\", backend: " + HaproxyProcess.BACKEND
                    + ", source-server: source, target-server: target }\n");
            assertThat(m.run("copy")).as(m.output()).isZero();
            Process catchup = m.start("catchup");
            String appUrl = "jdbc:mysql://127.0.0.1:" + haproxy.port() + "/" + db + "?connectTimeout=5000&socketTimeout=30000";
            try (AcknowledgedInserts app = new AcknowledgedInserts(
                    () -> DriverManager.getConnection(appUrl, APP_USER, APP_PASSWORD),
                    "INSERT INTO log (client) VALUES (?)", 3, 50)) {
                m.awaitCatchupApplying(catchup);
                app.awaitAcks(300);
                m.awaitCatchupLagAtMost(catchup, 1.0);

                int cutover = m.run("cutover", "--skip-verify");
                String output = m.output();
                assertThat(cutover).as(output + m.childLog("catchup")).isZero();
                List<MigrationHistory.StepRun> steps = m.lastSteps("cutover");
                // fence (2) to unfence (8) are phases of one step: writes were fenced within its span
                long fenced = step(steps, CutoverPause.STEP).start().getTime();
                long unfenced = step(steps, CutoverPause.STEP).end().getTime();
                app.awaitAcksSentAfter(unfenced, 150);
                app.close();
                assertThat(catchup.waitFor(60, TimeUnit.SECONDS)).as("step 9 stops catch-up").isTrue();

                List<AcknowledgedInserts.Ack> acks = app.acks();
                List<AcknowledgedInserts.Failure> failures = app.failures();
                assertThat(failures).as("errors only while writes were fenced (%d..%d)", fenced, unfenced)
                        .allMatch(f -> f.overlaps(fenced, unfenced));
                Set<Long> expected = new TreeSet<>();
                LongStream.rangeClosed(1, INITIAL_ROWS).forEach(expected::add);
                acks.forEach(a -> expected.add(a.id()));
                assertThat(expected).as("acknowledged ids are distinct").hasSize(INITIAL_ROWS + acks.size());
                try (Connection t = m.target()) {
                    assertThat(ids(t)).as("the target holds every acknowledged insert and nothing else")
                            .isEqualTo(expected);
                }
                List<Long> afterSwitch = acks.stream().filter(a -> a.sentMillis() > unfenced).map(a -> a.id()).toList();
                try (Connection s = m.source()) {
                    Set<Long> onSource = ids(s);
                    assertThat(onSource).as("writes after the switch went to the target only")
                            .doesNotContainAnyElementsOf(afterSwitch);
                    assertThat(single(s, "SELECT @@global.read_only")).as("the old primary stays read-only")
                            .isEqualTo(1L);
                }
                try (Connection viaProxy = DriverManager.getConnection(appUrl, APP_USER, APP_PASSWORD)) {
                    assertThat(single(viaProxy, "SELECT @@port")).as("HAProxy routes to the target")
                            .isEqualTo((long) targetServer.port());
                }
                long[] acked = acks.stream().mapToLong(AcknowledgedInserts.Ack::ackedMillis).sorted().toArray();
                long longestGap = LongStream.range(1, acked.length).map(i -> acked[(int) i] - acked[(int) i - 1])
                        .max().orElse(0);
                assertAppCannotWrite(sourceServer, db, "after cutover, on the old primary");

                // revert over the reverse stream: the source is primary again, the target fenced the same way
                Process reverse = m.start("catchup", "-Xmx256m", dir.resolve("reverse.log"), "--reverse");
                try {
                    CatchupLag.awaitUnder(m, m.planName() + MigrationPlan.REVERSE_SUFFIX, 1.0, reverse, () -> {
                        try (Connection t = m.target()) {
                            execute(t, "INSERT INTO log (client) VALUES (-1)");
                        }
                    });
                    assertThat(m.run("revert", "--skip-verify")).as(m.output()).isZero();
                    assertThat(reverse.waitFor(60, TimeUnit.SECONDS)).as("revert's step 9 stops the reverse stream")
                            .isTrue();
                }
                finally {
                    reverse.destroy();
                }
                assertAppCannotWrite(targetServer, db, "after revert, on the old primary (the target)");
                try (Connection primary = DriverManager.getConnection(sourceServer.jdbcUrl(db), APP_USER, APP_PASSWORD)) {
                    execute(primary, "INSERT INTO log (client) VALUES (99)"); // the source is writable again
                }
                System.out.printf("MariaDB read-only + HAProxy cutover under %d acknowledged inserts: %d failed, all "
                                + "inside the fence (%d ms from fence to unfence), longest time without an acknowledged "
                                + "insert %d ms; %s%n", acks.size(), failures.size(), unfenced - fenced, longestGap,
                        output.lines().filter(l -> l.startsWith("cutover: writes were held")).findFirst().orElse(""));
            }
            finally {
                catchup.destroy();
                catchup.waitFor(30, TimeUnit.SECONDS);
                for (Connection c : List.of(m.source(), m.target())) {
                    try (c) {
                        execute(c, "SET GLOBAL read_only = OFF"); // both servers are shared by this JVM's tests
                    }
                }
            }
        }
    }

    /**
     * The application's account cannot write to {@code server} by any means it has: a new session, or a transaction
     * started explicitly read-write ({@code read_only} is server-wide and refuses both for an account without SUPER
     * or READ ONLY ADMIN).
     */
    private static void assertAppCannotWrite(EmbeddedMariaDbServer server, String db, String when) throws Exception {
        try (Connection app = DriverManager.getConnection(server.jdbcUrl(db), APP_USER, APP_PASSWORD)) {
            assertThatThrownBy(() -> execute(app, "INSERT INTO log (client) VALUES (98)")).as(when + ": new session")
                    .isInstanceOf(SQLException.class).hasMessageContaining("read-only");
            assertThatThrownBy(() -> execute(app, "START TRANSACTION READ WRITE", "INSERT INTO log (client) VALUES (97)",
                    "COMMIT")).as(when + ": START TRANSACTION READ WRITE").isInstanceOf(SQLException.class)
                    .hasMessageContaining("read-only");
        }
    }

    /** An application account: no SUPER and no READ ONLY ADMIN, so read_only stops its writes; on both servers. */
    private static void createAppUser(Connection c, String db) throws SQLException {
        execute(c, "CREATE USER IF NOT EXISTS '" + APP_USER + "'@'%' IDENTIFIED BY '" + APP_PASSWORD + "'",
                "GRANT SELECT, INSERT, UPDATE, DELETE ON " + db + ".* TO '" + APP_USER + "'@'%'");
    }

    private static MigrationHistory.StepRun step(List<MigrationHistory.StepRun> steps, String name) {
        return steps.stream().filter(s -> s.name().equals(name)).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no step " + name + " in " + steps));
    }

    private static Set<Long> ids(Connection c) throws SQLException {
        Set<Long> ids = new TreeSet<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id FROM log")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    private static long single(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
