package io.livemigrate.scaleout;

import io.livemigrate.demo.EmbeddedServer;
import io.livemigrate.engine.KeyValue;
import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TestDatabases;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code verify --workers remote} with a manager and two worker JVMs: both workers verify partitions; one is killed
 * with {@code kill -9} in the middle of a partition, which ends FAILED after the heartbeat timeout; running verify
 * again re-runs only the failed partitions, from their last verified chunk, and finds a row corrupted after the kill
 * in the part the killed worker never reached, with totals that count every row exactly once and a summary that
 * counts only the rows the re-run verified. With the row restored, a fresh verification is EQUAL.
 */
class RemoteVerifyTest {

    private static final String CHUNK_ROWS = "100"; // about 100 checkpoints per partition: a kill lands mid-partition

    @TempDir
    Path dir;

    @AutoClose
    private ScaleOutFixture scaleOut;

    @Test
    void workerKilledMidPartitionFailsOnlyItsPartitionsAndARerunVerifiesTheRest() throws Exception {
        RabbitMq.assumeRunning();
        EmbeddedServer server = TestDatabases.postgres();
        scaleOut = new ScaleOutFixture(server, dir, "rverify", "{ threads: 2, chunk-rows: 500, partition-rows: 10000 }");
        MigrationFixture m = scaleOut.migration();
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE items (id bigint PRIMARY KEY, name text, price numeric)",
                    "INSERT INTO items SELECT g, 'item ' || g, g / 3.0 FROM generate_series(1, 100000) g",
                    "CREATE TABLE tags (item bigint, tag text, PRIMARY KEY (item, tag))",
                    "INSERT INTO tags SELECT g % 5000, 't' || g FROM generate_series(1, 40000) g",
                    "ANALYZE");
        }
        assertThat(m.run("copy")).as(m.output()).isZero(); // locally: the plan's mode stays local
        scaleOut.appendWorkersSection(false);
        ScaleOutFixture.Worker a = scaleOut.startWorker("a");
        ScaleOutFixture.Worker b = scaleOut.startWorker("b");

        Path managerLog = dir.resolve("manager.log");
        Process manager = scaleOut.start("verify", managerLog, "--workers", "remote", "--chunk-rows", CHUNK_ROWS);
        long killed = scaleOut.awaitMidPartition(b, "verify-range:public.items#%", 3);
        ScaleOutFixture.kill(b.process());

        assertThat(manager.waitFor(180, TimeUnit.SECONDS)).as("the manager ends after the timeout").isTrue();
        String first = Files.readString(managerLog);
        assertThat(manager.exitValue()).as(first).isEqualTo(1);
        assertThat(first).contains("silent for").contains("partition FAILED").contains("runs on worker");
        assertThat(scaleOut.leaseWorkers()).as("both workers verified partitions")
                .containsExactlyInAnyOrder(a.id(), b.id());
        assertThat(scaleOut.stepStatus(killed)).isEqualTo("FAILED");
        assertThat(scaleOut.stepExitMessage(killed)).contains("worker " + b.id() + " stopped heart-beating");
        List<String> failed = scaleOut.partitions("verify-range", "FAILED");
        assertThat(failed).as("the killed worker's partitions failed").isNotEmpty();
        assertThat(scaleOut.leasedBy(b.id())).as("and only those").containsAll(failed);

        // Corrupt a row the killed partition had not verified: after its last checkpoint, before its upper bound.
        // Only the re-run can find it, and only if it really compares the rest of that partition.
        long corrupted = unverifiedKey(m, scaleOut.stepContext(killed));
        try (Connection t = m.target()) {
            execute(t, "UPDATE items SET name = 'corrupted' WHERE id = " + corrupted);
        }
        long verifiedBeforeRestart = compared(scaleOut.query("SELECT STEP_EXECUTION_ID FROM BATCH_STEP_EXECUTION "
                + "WHERE STEP_NAME LIKE 'verify-range:%' AND STATUS = 'FAILED'"));

        assertThat(m.run("verify", "--workers", "remote", "--chunk-rows", CHUNK_ROWS)).as(m.output()).isEqualTo(3);
        assertThat(m.output()).contains("DIFFERENCES (resumed)").contains("key " + corrupted + ": ")
                .containsPattern("public\\.items\\s+100,000\\s+99,999\\s+0\\s+0\\s+1\\s")
                .containsPattern("public\\.tags\\s+40,000\\s+40,000\\s+0\\s+0\\s+0\\s");
        assertThat(scaleOut.partitionsOfLastExecution("verify-range")).as("only the failed partitions ran again")
                .containsExactlyInAnyOrderElementsOf(failed);
        long verifiedAfterRestart = compared(scaleOut.query("SELECT STEP_EXECUTION_ID FROM BATCH_STEP_EXECUTION "
                + "WHERE STEP_NAME LIKE 'verify-range:%' AND JOB_EXECUTION_ID = "
                + "(SELECT MAX(JOB_EXECUTION_ID) FROM BATCH_JOB_EXECUTION)"));
        assertThat(rowsPerSide(m.output())).as("the summary counts the rows the re-run verified, not all rows")
                .isEqualTo(verifiedAfterRestart - verifiedBeforeRestart).isLessThan(140_000);

        try (Connection t = m.target()) {
            execute(t, "UPDATE items SET name = 'item " + corrupted + "' WHERE id = " + corrupted);
        }
        assertThat(m.run("verify", "--workers", "remote")).as(m.output()).isZero();
        assertThat(m.output()).contains("verify: EQUAL:").doesNotContain("(resumed)");
        assertThat(rowsPerSide(m.output())).as("a new run verifies every row").isEqualTo(140_000);
    }

    /**
     * The last key of the partition that its committed context has not verified yet: keys of a partition are
     * {@code (range.lower, range.upper]}, verified up to {@code range.cursor} (see KeySliceReader).
     */
    private static long unverifiedKey(MigrationFixture m, Map<String, Object> partition) throws Exception {
        assertThat(partition.get("range.finished")).as("killed before its last chunk: %s", partition)
                .isNotEqualTo("true");
        long after = key(partition, "range.cursor", key(partition, "range.lower", 0));
        long upTo = key(partition, "range.upper", Long.MAX_VALUE);
        try (Connection t = m.target();
             PreparedStatement ps = t.prepareStatement("SELECT max(id) FROM items WHERE id > ? AND id <= ?")) {
            ps.setLong(1, after);
            ps.setLong(2, upTo);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long key = rs.getLong(1);
                assertThat(rs.wasNull()).as("rows left after %d in %s", after, partition).isFalse();
                return key;
            }
        }
    }

    /** Rows the given partitions' committed contexts count as verified, over all their executions so far. */
    private long compared(List<String> stepExecutionIds) throws Exception {
        long rows = 0;
        for (String id : stepExecutionIds) {
            rows += ((Number) scaleOut.stepContext(Long.parseLong(id)).getOrDefault("verify.compared", 0L)).longValue();
        }
        return rows;
    }

    private static long rowsPerSide(String output) {
        Matcher rows = Pattern.compile("([\\d,]+) rows per side").matcher(output);
        assertThat(rows.find()).as(output).isTrue();
        return Long.parseLong(rows.group(1).replace(",", ""));
    }

    private static long key(Map<String, Object> context, String name, long absent) {
        Object encoded = context.get(name);
        return encoded == null ? absent : Long.parseLong(KeyValue.decode((String) encoded).parts().get(0));
    }
}
