package io.livemigrate.verify;

import io.livemigrate.repository.RepositoryLockRetry;
import io.livemigrate.demo.EmbeddedServer;
import io.livemigrate.testing.ChildJava;
import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A verification killed with {@code kill -9} half way (a child JVM), then run again, resumes from its last verified
 * chunk: it verifies only what was left, and the totals still cover every row once.
 */
class VerifyKillResumeTest {

    private static final int ROWS = 200_000;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"postgresql", "mariadb"})
    void verificationKilledHalfWayResumes(String engine) throws Exception {
        boolean pg = engine.equals("postgresql");
        EmbeddedServer server = pg ? TestDatabases.postgres() : TestDatabases.mariadb();
        MigrationFixture m = new MigrationFixture(server, dir, "vkill_" + engine)
                .copyOptions("{ threads: 1, chunk-rows: 20000, partition-rows: 50000 }");
        try (Connection s = m.source()) {
            if (pg) {
                execute(s, "CREATE TABLE big (id bigint PRIMARY KEY, payload text)",
                        "INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, " + ROWS + ") g", "ANALYZE big");
            }
            else {
                execute(s, "CREATE TABLE big (id bigint PRIMARY KEY, payload varchar(40))",
                        "INSERT INTO big SELECT seq, md5(seq) FROM seq_1_to_" + ROWS, "ANALYZE TABLE big");
            }
        }
        assertThat(m.run("copy")).as(m.output()).isZero();
        try (Connection t = m.target()) {
            execute(t, "DELETE FROM big WHERE id = 150000");
        }

        // The test holds the repository open (and so serves it) while it watches the child: polling with a new
        // connection each time raced the child for the H2 file's server and could miss the whole run.
        Connection repository = RepositoryLockRetry.open(() -> DriverManager.getConnection(m.repositoryUrl(), "sa", ""));
        long chunks = 0;
        try {
            Process child = new ProcessBuilder(ChildJava.command("-Xmx256m", "verify", "--plan", m.plan().toString(),
                    "--repository", m.repositoryUrl(), "--chunk-rows", "50"))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("verify-child.log").toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (System.nanoTime() < deadline && child.isAlive() && (chunks = verifiedChunks(repository)) < 10) {
                Thread.sleep(20);
            }
            assertThat(child.isAlive()).as("verification still running when killed; log:\n"
                    + Files.readString(dir.resolve("verify-child.log"))).isTrue();
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        finally {
            repository.close();
        }
        assertThat(chunks).isGreaterThanOrEqualTo(10);

        assertThat(m.run("verify", "--chunk-rows", "5000")).as(m.output()).isEqualTo(3);
        assertThat(m.output()).contains("DIFFERENCES (resumed)").contains("key 150000: missing on target")
                .containsPattern("big\\s+200,000\\s+199,999\\s+1\\s+0\\s+0");
        Matcher rows = Pattern.compile("([\\d,]+) rows per side").matcher(m.output());
        assertThat(rows.find()).isTrue();
        assertThat(Long.parseLong(rows.group(1).replace(",", ""))).as("only the unverified rest was verified again")
                .isLessThan(ROWS - 3 * 50 + 1);
    }

    private static long verifiedChunks(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT COALESCE(SUM(COMMIT_COUNT), 0) FROM BATCH_STEP_EXECUTION"
                     + " WHERE STEP_NAME LIKE 'verify-range:%'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
