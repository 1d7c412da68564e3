package io.livemigrate.repository;

import java.io.PrintStream;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A migration's state as the job repository records it: phase, which side the application writes to, per-table copy
 * progress, change-capture start, both directions' catch-up, every cutover and revert with its step timings, and
 * every job execution of the plan, and the latest rehearsal. Serializable to JSON as it is, for {@code status --json}.
 *
 * @param primary        "source" or "target" (of the plan as written): where the application writes now
 * @param executions     the plan's job executions (the reverse plan's are in {@code switches} and
 *                       {@code reverseCatchup})
 * @param reverseCatchup the reverse stream (target to source, after a cutover), if it ever ran
 * @param switches       every cutover and revert run, oldest first
 * @param completion     the last execution of {@code complete}, if any
 * @param lastRehearsal  the latest finished rehearsal with its {@value #WORST_FINGERPRINTS} worst fingerprints, if any
 */
public record MigrationStatus(String plan, String phase, String primary, String changeCaptureStart,
                              List<TableProgress> tables, List<MigrationHistory.JobRun> executions,
                              List<VerifiedTable> lastVerification, Catchup catchup, Catchup reverseCatchup,
                              List<SwitchHistory.Switch> switches, MigrationHistory.JobRun completion,
                              RehearsalHistory.Rehearsal lastRehearsal) {

    /** Fingerprints of the latest rehearsal carried (worst first): all are in LIVEMIGRATE_REHEARSAL. */
    public static final int WORST_FINGERPRINTS = 25;

    /** The job {@code complete} runs as (one instance per plan). */
    public static final String COMPLETE_JOB = "complete";
    static final String REVERSE_SUFFIX = io.livemigrate.plan.MigrationPlan.REVERSE_SUFFIX;

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
        return new MigrationStatus(plan, "not started", "source", null, List.of(), List.of(), List.of(), null, null,
                List.of(), null, null);
    }

    public static MigrationStatus read(MigrationHistory history, String plan) throws SQLException {
        String forward = plan.endsWith(REVERSE_SUFFIX) ? plan.substring(0, plan.length() - REVERSE_SUFFIX.length())
                : plan;
        String reverse = forward + REVERSE_SUFFIX;
        List<MigrationHistory.JobRun> runs = history.executions(plan);
        List<MigrationHistory.JobRun> reverseRuns = history.executions(plan.equals(forward) ? reverse : forward);
        if (runs.isEmpty() && reverseRuns.isEmpty()) {
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
        List<SwitchHistory.Switch> switches = SwitchHistory.read(history, forward, reverse);
        String primary = primary(switches, plan.equals(forward));
        MigrationHistory.JobRun completion = runs.stream().filter(r -> r.jobName().equals(COMPLETE_JOB))
                .reduce((a, b) -> b).orElse(null);
        List<MigrationHistory.JobRun> both = new ArrayList<>(runs);
        both.addAll(reverseRuns);
        both.sort(java.util.Comparator.comparingLong(MigrationHistory.JobRun::executionId));
        MigrationHistory.JobRun last = both.get(both.size() - 1);
        String phase = completion != null && completion.status().equals("COMPLETED") ? "completed"
                : phase(last, runs.contains(last) == plan.equals(forward), switches);
        if (!switches.isEmpty() || completion != null) {
            phase += "; the " + primary + " is primary";
        }
        return new MigrationStatus(plan, phase, primary, position, tables, runs, lastVerification(history, runs),
                catchup(history, runs), catchup(history, reverseRuns), switches, completion,
                RehearsalHistory.latestWithWorst(history.connection(), forward, WORST_FINGERPRINTS).orElse(null));
    }

    /**
     * Where the application writes, by {@link PrimarySide}'s rule over the latest switching run of each direction
     * (the highest run number that switched and was not rolled back, as {@code core.TrafficSide} reads it).
     */
    private static String primary(List<SwitchHistory.Switch> switches, boolean forwardPlan) {
        Optional<LocalDateTime> toTarget = lastSwitch(switches, "cutover");
        Optional<LocalDateTime> toSource = lastSwitch(switches, "revert");
        boolean source = PrimarySide.writesToSource(forwardPlan ? toTarget : toSource, forwardPlan ? toSource : toTarget,
                !forwardPlan);
        return source ? "source" : "target";
    }

    private static Optional<LocalDateTime> lastSwitch(List<SwitchHistory.Switch> switches, String direction) {
        return switches.stream().filter(s -> s.direction().equals(direction) && s.switched())
                .max(java.util.Comparator.comparingLong(SwitchHistory.Switch::run))
                .map(s -> s.lastStart() == null ? LocalDateTime.MIN : s.lastStart().toLocalDateTime());
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

    /**
     * What the latest job execution of either direction says; a cutover run by its outcome.
     *
     * @param forward the execution belongs to the forward plan (else to its reverse)
     */
    private static String phase(MigrationHistory.JobRun last, boolean forward, List<SwitchHistory.Switch> switches) {
        if (last.jobName().equals(PrimarySide.CUTOVER_JOB)) {
            SwitchHistory.Switch run = switches.stream().filter(s -> s.lastStart() != null
                    && s.lastStart().equals(last.start()) && s.direction().equals(forward ? "cutover" : "revert"))
                    .findFirst().orElse(null);
            String verb = forward ? "cutover" : "revert";
            if (last.status().equals("COMPLETED")) {
                return forward ? "cut over to the target" : "reverted to the source";
            }
            if (run != null && run.rolledBack()) {
                return verb + " run " + run.run() + " rolled back";
            }
        }
        String job = (forward ? "" : "reverse ") + last.jobName();
        return switch (last.status()) {
            case "COMPLETED" -> job + " complete";
            case "STARTED", "STARTING", "STOPPING" -> job + " running (or its process died: run it again "
                    + "to resume)";
            default -> job + " " + last.status().toLowerCase() + ": run it again to resume";
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
        return ExecutionContexts.parse(step.context());
    }

    public void print(PrintStream out) {
        out.println("plan " + plan + ": " + phase);
        if (changeCaptureStart != null) {
            out.println("change capture starts at " + changeCaptureStart);
        }
        out.println("primary: " + primary + (switches.isEmpty() ? "" : " (" + lastSwitchSaid() + ")"));
        if (completion != null) {
            out.println(completion.status().equals("COMPLETED") ? "complete: done at " + time(completion.end())
                    : "complete: " + completion.status().toLowerCase() + ": run complete again to finish");
        }
        print(out, "catch-up", catchup);
        print(out, "reverse catch-up", reverseCatchup);
        if (lastRehearsal != null) {
            RehearsalHistory.Run r = lastRehearsal.run();
            out.printf("last rehearsal: %s at %s (execution %d): %,d replayed, %,d compared, %,d result difference(s),"
                            + " %,d error difference(s), %,d regression(s), %,d fingerprint(s)%n", r.outcome(),
                    r.finishedAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS), r.execution(), r.replayed(),
                    r.compared(), r.resultDiffs(), r.errorDiffs(), r.regressions(), r.fingerprints());
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
        printSwitches(out);
        if (!executions.isEmpty()) {
            out.println();
            out.printf("%-10s %-10s %-10s %-20s %-20s %s%n", "EXECUTION", "JOB", "STATUS", "STARTED", "ENDED", "EXIT");
            for (MigrationHistory.JobRun r : executions) {
                out.printf("%-10d %-10s %-10s %-20s %-20s %s%n", r.executionId(), r.jobName(), r.status(),
                        time(r.start()), time(r.end()), r.exitCode());
            }
        }
    }

    private static void print(PrintStream out, String label, Catchup c) {
        if (c != null) {
            out.printf("%s %s: applied up to %s (source commit %s), lag %s s, %s bytes behind, %s events in %s "
                            + "transactions%n", label, c.status().toLowerCase(), c.position(), c.commitTime(),
                    c.lagSeconds(), c.bytesBehind(), c.events(), c.transactions());
        }
    }

    private String lastSwitchSaid() {
        return switches.stream().filter(SwitchHistory.Switch::switched).reduce((a, b) -> b)
                .map(s -> "since " + s.direction() + " run " + s.run() + " at " + time(s.lastStart()))
                .orElse("no switch has happened");
    }

    /** Every cutover and revert: outcome, writes held, re-check, then each step's duration and timed phases. */
    private void printSwitches(PrintStream out) {
        if (switches.isEmpty()) {
            return;
        }
        out.println();
        out.printf("%-8s %4s %-10s %-20s %s%n", "SWITCH", "RUN", "STATUS", "STARTED", "OUTCOME");
        for (SwitchHistory.Switch s : switches) {
            List<String> outcome = new ArrayList<>();
            if (s.pauseMillis() != null) {
                outcome.add("writes held " + s.pauseMillis() + " ms");
            }
            if (s.reverify() != null) {
                outcome.add("re-verify: " + s.reverify().summary());
            }
            if (s.message() != null) {
                outcome.add(s.message());
            }
            if (s.executions() > 1) {
                outcome.add(s.executions() + " executions");
            }
            out.printf("%-8s %4d %-10s %-20s %s%n", s.direction(), s.run(), s.status(), time(s.start()),
                    String.join("; ", outcome));
            for (SwitchHistory.StepTiming step : s.steps()) {
                out.printf("    %-22s %-10s %8s%n", step.name(), step.status(),
                        step.millis() == null ? "-" : step.millis() + " ms");
                for (SwitchHistory.PhaseTiming phase : step.phases()) {
                    out.printf("      %-20s %19s%n", phase.name(), phase.millis() + " ms");
                }
            }
        }
    }

    private static String time(java.sql.Timestamp t) {
        return t == null ? "-" : t.toLocalDateTime().withNano(0).toString().replace('T', ' ');
    }
}
