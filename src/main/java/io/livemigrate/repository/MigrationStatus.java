package io.livemigrate.repository;

import org.springframework.batch.core.repository.dao.JacksonExecutionContextStringSerializer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A migration's state as the job repository records it: phase, per-table copy progress, change-capture start and
 * every job execution. Serializable to JSON as it is, for {@code status --json}.
 */
public record MigrationStatus(String plan, String phase, String changeCaptureStart, List<TableProgress> tables,
                              List<MigrationHistory.JobRun> executions, List<VerifiedTable> lastVerification,
                              Catchup catchup) {

    /** The last catch-up's applied position and lag, as its step context last recorded them (every few seconds). */
    public record Catchup(String status, String position, String commitTime, Double lagSeconds, Long bytesBehind,
                          Long events, Long transactions) {
    }

    /** One table's totals in the last completed verification (its verify-report step context). */
    public record VerifiedTable(String table, long compared, long missing, long extra, long different, long inFlux) {
    }

    /** Copy progress of one table, summed over its partitions' latest step executions. */
    public record TableProgress(String table, int partitions, int partitionsDone, int partitionsFailed, long rows) {
    }

    public static MigrationStatus notStarted(String plan) {
        return new MigrationStatus(plan, "not started", null, List.of(), List.of(), List.of(), null);
    }

    public static MigrationStatus read(MigrationHistory history, String plan) throws SQLException {
        List<MigrationHistory.JobRun> runs = history.executions(plan);
        if (runs.isEmpty()) {
            return notStarted(plan);
        }
        MigrationHistory.JobRun lastCopy = runs.stream().filter(r -> r.jobName().equals("copy"))
                .reduce((a, b) -> b).orElse(null);
        String position = null;
        List<TableProgress> tables = List.of();
        if (lastCopy != null) {
            Map<String, MigrationHistory.StepRun> latest = new LinkedHashMap<>();
            for (MigrationHistory.StepRun step : history.steps(lastCopy.executionId())) {
                latest.put(step.name(), step);
            }
            tables = tableProgress(latest);
            MigrationHistory.StepRun capture = latest.get("capture-position");
            if (capture != null) {
                Object p = context(capture).get("cdc.position");
                position = p == null ? null : p.toString();
            }
        }
        MigrationHistory.JobRun last = runs.get(runs.size() - 1);
        return new MigrationStatus(plan, phase(last), position, tables, runs, lastVerification(history, runs),
                catchup(history, runs));
    }

    private static Catchup catchup(MigrationHistory history, List<MigrationHistory.JobRun> runs) throws SQLException {
        MigrationHistory.JobRun run = runs.stream().filter(r -> r.jobName().equals("catchup")).reduce((a, b) -> b)
                .orElse(null);
        if (run == null) {
            return null;
        }
        Map<String, Object> ctx = Map.of();
        for (MigrationHistory.StepRun step : history.steps(run.executionId())) {
            Map<String, Object> c = context(step);
            if (step.name().equals("catchup") && c.containsKey("catchup.events")) {
                ctx = c;
            }
        }
        return new Catchup(run.status(), (String) ctx.get("catchup.position"), (String) ctx.get("catchup.commit.time"),
                ctx.get("catchup.lag.seconds") instanceof Number n ? n.doubleValue() : null,
                ctx.get("catchup.bytes.behind") instanceof Number n ? n.longValue() : null,
                ctx.get("catchup.events") instanceof Number n ? n.longValue() : null,
                ctx.get("catchup.transactions") instanceof Number n ? n.longValue() : null);
    }

    private static List<VerifiedTable> lastVerification(MigrationHistory history, List<MigrationHistory.JobRun> runs)
            throws SQLException {
        MigrationHistory.JobRun verify = runs.stream()
                .filter(r -> r.jobName().equals("verify") && r.status().equals("COMPLETED")).reduce((a, b) -> b)
                .orElse(null);
        if (verify == null) {
            return List.of();
        }
        Map<String, long[]> perTable = new TreeMap<>();
        for (MigrationHistory.StepRun step : history.steps(verify.executionId())) {
            if (step.name().equals("verify-report")) {
                perTable.clear();
                context(step).forEach((key, value) -> {
                    int dot = key.lastIndexOf('.');
                    int field = List.of("compared", "missing", "extra", "different", "influx")
                            .indexOf(key.substring(dot + 1));
                    if (key.startsWith("verify.") && field >= 0 && value instanceof Number n) {
                        perTable.computeIfAbsent(key.substring("verify.".length(), dot), k -> new long[5])[field] =
                                n.longValue();
                    }
                });
            }
        }
        List<VerifiedTable> result = new ArrayList<>();
        perTable.forEach((t, v) -> result.add(new VerifiedTable(t, v[0], v[1], v[2], v[3], v[4])));
        return result;
    }

    private static String phase(MigrationHistory.JobRun last) {
        return switch (last.status()) {
            case "COMPLETED" -> last.jobName() + " complete";
            case "STARTED", "STARTING", "STOPPING" -> last.jobName() + " running (or its process died: run it again "
                    + "to resume)";
            default -> last.jobName() + " " + last.status().toLowerCase() + ": run it again to resume";
        };
    }

    private static List<TableProgress> tableProgress(Map<String, MigrationHistory.StepRun> latest) {
        Map<String, long[]> perTable = new TreeMap<>();
        for (MigrationHistory.StepRun step : latest.values()) {
            if (!step.name().startsWith("copy-range:")) {
                continue;
            }
            String partition = step.name().substring("copy-range:".length());
            String table = partition.substring(0, partition.lastIndexOf('#'));
            long[] t = perTable.computeIfAbsent(table, k -> new long[4]);
            t[0]++;
            t[1] += step.status().equals("COMPLETED") ? 1 : 0;
            t[2] += step.status().equals("FAILED") ? 1 : 0;
            Object rows = context(step).get("rows.copied");
            t[3] += rows instanceof Number n ? n.longValue() : 0;
        }
        List<TableProgress> result = new ArrayList<>();
        perTable.forEach((table, t) -> result.add(new TableProgress(table, (int) t[0], (int) t[1], (int) t[2], t[3])));
        return result;
    }

    static Map<String, Object> context(MigrationHistory.StepRun step) {
        if (step.context() == null || step.context().isEmpty()) {
            return Map.of();
        }
        try {
            return new JacksonExecutionContextStringSerializer()
                    .deserialize(new ByteArrayInputStream(step.context().getBytes(StandardCharsets.UTF_8)));
        }
        catch (IOException | RuntimeException e) {
            return Map.of();
        }
    }

    public void print(PrintStream out) {
        out.println("plan " + plan + ": " + phase);
        if (changeCaptureStart != null) {
            out.println("change capture starts at " + changeCaptureStart);
        }
        if (catchup != null) {
            out.printf("catch-up %s: applied up to %s (source commit %s), lag %s s, %s bytes behind, %s events in %s "
                            + "transactions%n", catchup.status().toLowerCase(), catchup.position(), catchup.commitTime(),
                    catchup.lagSeconds(), catchup.bytesBehind(), catchup.events(), catchup.transactions());
        }
        if (!tables.isEmpty()) {
            out.println();
            out.printf("%-40s %12s %8s %15s%n", "TABLE", "PARTITIONS", "FAILED", "ROWS COPIED");
            for (TableProgress t : tables) {
                out.printf("%-40s %12s %8d %,15d%n", t.table(), t.partitionsDone() + "/" + t.partitions(),
                        t.partitionsFailed(), t.rows());
            }
        }
        if (!lastVerification.isEmpty()) {
            out.println();
            out.printf("%-40s %12s %9s %9s %9s %8s%n", "LAST VERIFICATION", "COMPARED", "MISSING", "EXTRA", "DIFFERENT",
                    "IN FLUX");
            for (VerifiedTable t : lastVerification) {
                out.printf("%-40s %,12d %,9d %,9d %,9d %,8d%n", t.table(), t.compared(), t.missing(), t.extra(),
                        t.different(), t.inFlux());
            }
        }
        if (!executions.isEmpty()) {
            out.println();
            out.printf("%-10s %-10s %-10s %-20s %-20s %s%n", "EXECUTION", "JOB", "STATUS", "STARTED", "ENDED", "EXIT");
            for (MigrationHistory.JobRun r : executions) {
                out.printf("%-10d %-10s %-10s %-20s %-20s %s%n", r.executionId(), r.jobName(), r.status(),
                        time(r.start()), time(r.end()), r.exitCode());
            }
        }
    }

    private static String time(java.sql.Timestamp t) {
        return t == null ? "-" : t.toLocalDateTime().withNano(0).toString().replace('T', ' ');
    }
}
