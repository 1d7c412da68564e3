package io.livemigrate.ops;

import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TableContents;
import io.livemigrate.testing.TestDatabases;
import io.livemigrate.testing.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sql/ops queries run against job repositories populated by real copies: the default H2 file (with a copy
 * killed half way and resumed by {@code restart}, so failed partitions and restarts are in it), PostgreSQL and
 * MariaDB. Each query must run, and the numbers must be the copy's.
 */
class OpsQueriesTest {

    private static final int ROWS = 60_000;

    @TempDir
    Path dir;

    @Test
    void h2RepositoryAfterAKilledCopyAndRestart() throws Exception {
        MigrationFixture m = fixture("opsq_h2");
        // Slow enough that the copy is surely half way when killed, on any machine.
        assertThat(m.run("throttle", "--rows-per-second", "5000", "--by", "ops-test")).isZero();
        Process copy = m.start("copy");
        waitForRows(m, 15_000, copy);
        copy.destroyForcibly();
        assertThat(copy.waitFor(30, TimeUnit.SECONDS)).isTrue();

        Set<String> unfinished;
        try (Connection r = repository(m)) {
            unfinished = OpsQueries.run(r, Files.readString(OpsQueries.DIR.resolve("failed-partitions.sql"))).stream()
                    .map(row -> (String) row.get("STEP_NAME")).collect(Collectors.toCollection(TreeSet::new));
        }
        assertThat(unfinished).as("partitions the kill interrupted").isNotEmpty()
                .allMatch(n -> n.startsWith("copy-range:public.big#"));

        assertThat(m.run("throttle", "--rows-per-second", "unlimited")).isZero();
        assertThat(m.run("restart")).as(m.output()).isZero();
        assertThat(m.output()).contains("restart: copy execution").contains("running 'copy' again")
                .contains("COMPLETED (resumed)");
        assertThat(m.run("restart")).isZero();
        assertThat(m.output()).contains("nothing to restart");
        assertExactCopy(m);
        assertThat(m.run("verify")).as(m.output()).isZero();

        try (Connection r = repository(m)) {
            Map<String, List<Map<String, Object>>> results = OpsQueries.runAll(r, "h2");
            assertCopyNumbers(results);
            assertThat(results.get("failed-partitions.sql")).isEmpty();
            List<Map<String, Object>> copies = results.get("executions.sql").stream()
                    .filter(row -> "copy".equals(row.get("JOB_NAME"))).toList();
            assertThat(copies).extracting(row -> row.get("STATUS")).containsExactly("COMPLETED", "FAILED");
            assertThat(results.get("throttle-history.sql")).extracting(row -> row.get("CHANGED_BY").toString())
                    .hasSize(2).contains("ops-test");
            // Only the partitions the kill interrupted ran again.
            long resumed = copies.stream().filter(row -> "COMPLETED".equals(row.get("STATUS")))
                    .mapToLong(row -> ((Number) row.get("JOB_EXECUTION_ID")).longValue()).findFirst().orElseThrow();
            Set<String> rerun = results.get("step-throughput.sql").stream()
                    .filter(row -> ((Number) row.get("JOB_EXECUTION_ID")).longValue() == resumed)
                    .map(row -> (String) row.get("STEP_NAME")).filter(n -> n.startsWith("copy-range:"))
                    .collect(Collectors.toCollection(TreeSet::new));
            assertThat(rerun).isEqualTo(unfinished);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "mysql"})
    void sharedRepository(String flavour) throws Exception {
        MigrationFixture m = fixture("opsq_" + flavour);
        TestServer server = TestServer.of(flavour.equals("postgresql") ? TestDatabases.postgres() : TestDatabases.mariadb());
        String url = server.newDatabase("opsq_repo");
        Map<String, String> env = Map.of("LIVEMIGRATE_REPOSITORY_USER", server.user(),
                "LIVEMIGRATE_REPOSITORY_PASSWORD", server.password());
        runChild(env, "copy", "--plan", m.plan().toString(), "--repository", url);
        runChild(env, "verify", "--plan", m.plan().toString(), "--repository", url);
        runChild(env, "throttle", "--plan", m.plan().toString(), "--repository", url, "--pause", "--by", "ops-test");

        try (Connection r = DriverManager.getConnection(url, server.user(), server.password())) {
            Map<String, List<Map<String, Object>>> results = OpsQueries.runAll(r, flavour);
            assertCopyNumbers(results);
            assertThat(results.get("failed-partitions.sql")).isEmpty();
            assertThat(results.get("verification-results.sql")).singleElement().satisfies(row -> assertThat(
                    ((Number) row.get("ROWS_MATCHING")).longValue()).isEqualTo(ROWS));
            assertThat(results.get("throttle-history.sql")).singleElement()
                    .satisfies(row -> assertThat(row.get("CHANGE_TEXT")).isEqualTo("pause"));
        }
    }

    private void runChild(Map<String, String> env, String... args) throws Exception {
        Path log = dir.resolve(args[0] + "-child.log");
        Process child = ChildJvm.start(log, env, args);
        assertThat(child.waitFor(300, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue()).as(Files.readString(log)).isZero();
    }

    private static void assertCopyNumbers(Map<String, List<Map<String, Object>>> results) {
        assertThat(results.keySet()).contains("copy-progress.sql", "copy-partitions.sql", "step-throughput.sql",
                "catchup-lag.sql", "cutover-timings.sql", "verification-results.sql", "schedule-runs.sql");
        Map<String, Object> table = results.get("copy-progress.sql").get(0);
        assertThat(results.get("copy-progress.sql")).hasSize(1);
        assertThat(table.get("TABLE_NAME")).isEqualTo("public.big");
        assertThat(((Number) table.get("ROWS_COPIED")).longValue()).isEqualTo(ROWS);
        assertThat(((Number) table.get("DONE")).longValue()).isEqualTo(((Number) table.get("PARTITIONS")).longValue())
                .isGreaterThan(1);
        assertThat(((Number) table.get("ROWS_PER_SECOND")).doubleValue()).isPositive();
        List<Map<String, Object>> partitions = results.get("copy-partitions.sql");
        assertThat(partitions).allSatisfy(p -> assertThat(p.get("STATUS")).isEqualTo("COMPLETED"));
        assertThat(partitions.stream().mapToLong(p -> ((Number) p.get("ROWS_COPIED")).longValue()).sum())
                .isEqualTo(ROWS);
    }

    private MigrationFixture fixture(String prefix) throws SQLException {
        MigrationFixture m = new MigrationFixture(TestDatabases.postgres(), dir, prefix)
                .copyOptions("{ threads: 2, chunk-rows: 500, partition-rows: 10000 }");
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE big (id bigint PRIMARY KEY, payload text)",
                    "INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, " + ROWS + ") g", "ANALYZE big");
        }
        return m;
    }

    private static Connection repository(MigrationFixture m) throws SQLException {
        return DriverManager.getConnection(m.repositoryUrl(), "sa", "");
    }

    private static void assertExactCopy(MigrationFixture m) throws SQLException {
        try (Connection s = m.source(); Connection t = m.target()) {
            assertThat(TableContents.postgres(t, "big", "id")).isEqualTo(TableContents.postgres(s, "big", "id"));
        }
    }

    private static void waitForRows(MigrationFixture m, long rows, Process copy) throws Exception {
        for (int i = 0; i < 6000; i++) {
            assertThat(copy.isAlive()).as("copy running").isTrue();
            try (Connection t = m.target()) {
                if (TableContents.count(t, "public.big") >= rows) {
                    return;
                }
            }
            catch (SQLException tableNotThereYet) {
                // created after the position is captured
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the copy wrote fewer than " + rows + " rows in 120 s");
    }
}
