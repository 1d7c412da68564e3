package io.livemigrate.repository;

import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every cutover (the plan's cutover job runs) and revert (the reverse plan's) as the job repository records them:
 * each run's steps with their durations and timed phases, the writes held, the re-check counts, and whether it
 * switched traffic. Read with SQL, without Spring. The context keys are the ones the cutover job writes
 * ({@code cutover.CutoverRecord}, {@code cutover.Reverification}); {@code StatusAcrossSwitchesTest} reads them back.
 */
public final class SwitchHistory {

    /** Job context: milliseconds writes were held, fence to unfence. */
    static final String PAUSE_MILLIS = "cutover.pause.ms";
    static final String REVERIFY = "reverify";
    static final String REVERIFY_CHANGED = "reverify.keys.changed";
    static final String REVERIFY_CHECKED = "reverify.keys.checked";
    static final String REVERIFY_DIFFERENCES = "reverify.differences";
    /** Step context: a phase inside the step and its duration, {@code phase.<name>.ms}. */
    private static final Pattern PHASE = Pattern.compile("phase\\.(.+)\\.ms");
    private static final Pattern EXCEPTION_CLASS = Pattern.compile("^([\\w$]+\\.)*[\\w$]+(Exception|Error): ");

    /**
     * One cutover or revert run (a job instance), as its last execution left it.
     *
     * @param direction   "cutover" (to the target) or "revert" (back to the source)
     * @param executions  how many executions the run took (a rerun finishes or rolls back a crashed one)
     * @param lastStart   when the last execution started: what decides which switch is the latest
     * @param pauseMillis writes held, fence to unfence (null until unfenced)
     * @param message     why a failed run failed (its failed step's message), and what its rollback did
     */
    public record Switch(String direction, String plan, long run, String status, Timestamp start, Timestamp end,
                         int executions, Timestamp lastStart, boolean switched, boolean rolledBack, Long pauseMillis,
                         String message, List<StepTiming> steps, Reverify reverify) {
    }

    /** One step execution; {@code millis} null while it runs. Phases in the order they run (see PHASE_ORDER). */
    public record StepTiming(String name, String status, Timestamp start, Long millis, List<PhaseTiming> phases) {
    }

    public record PhaseTiming(String name, long millis) {
    }

    /** Step 4's record: its summary ("all N ...", "partial: N of M ...") and counts. */
    public record Reverify(String summary, Long changed, Long checked, Long differences) {
    }

    private SwitchHistory() {
    }

    /** The cutovers of {@code forwardPlan} and the reverts (its reverse plan's cutovers), oldest first. */
    static List<Switch> read(MigrationHistory history, String forwardPlan, String reversePlan) throws SQLException {
        List<Switch> all = new ArrayList<>();
        all.addAll(runs(history, forwardPlan, "cutover"));
        all.addAll(runs(history, reversePlan, "revert"));
        all.sort(Comparator.comparing(Switch::start, Comparator.nullsLast(Comparator.naturalOrder())));
        return all;
    }

    private static List<Switch> runs(MigrationHistory history, String plan, String direction) throws SQLException {
        Map<Long, List<MigrationHistory.JobExecutionRecord>> byInstance = new LinkedHashMap<>();
        for (MigrationHistory.JobExecutionRecord r : history.jobExecutions(PrimarySide.CUTOVER_JOB, plan,
                PrimarySide.RUN_PARAMETER)) {
            byInstance.computeIfAbsent(r.instanceId(), k -> new ArrayList<>()).add(r);
        }
        List<Switch> result = new ArrayList<>();
        for (List<MigrationHistory.JobExecutionRecord> executions : byInstance.values()) {
            result.add(run(history, plan, direction, executions));
        }
        return result;
    }

    private static Switch run(MigrationHistory history, String plan, String direction,
                              List<MigrationHistory.JobExecutionRecord> executions) throws SQLException {
        MigrationHistory.JobExecutionRecord first = executions.get(0);
        MigrationHistory.JobExecutionRecord last = executions.get(executions.size() - 1);
        Map<String, Object> job = ExecutionContexts.parse(last.context());
        boolean rolledBack = job.containsKey(PrimarySide.ROLLED_BACK);
        List<StepTiming> steps = new ArrayList<>();
        Reverify reverify = null;
        String failure = null;
        for (MigrationHistory.StepRun step : history.steps(last.run().executionId())) {
            Map<String, Object> ctx = ExecutionContexts.parse(step.context());
            steps.add(new StepTiming(step.name(), step.status(), step.start(), millis(step.start(), step.end()),
                    phases(ctx)));
            if (ctx.containsKey(REVERIFY)) {
                reverify = new Reverify(String.valueOf(ctx.get(REVERIFY)), number(ctx.get(REVERIFY_CHANGED)),
                        number(ctx.get(REVERIFY_CHECKED)), number(ctx.get(REVERIFY_DIFFERENCES)));
            }
            if (step.status().equals("FAILED") && step.exitMessage() != null && !step.exitMessage().isBlank()) {
                failure = firstLine(step.exitMessage());
            }
        }
        String message = failure;
        if (last.run().exitCode() != null && last.run().exitCode().contains("ROLLBACK_FAILED")) {
            message = (failure == null ? "" : failure + "; ") + rollbackNote(last.run().exitMessage());
        }
        else if (rolledBack) {
            String note = rollbackNote(last.run().exitMessage());
            message = (failure == null ? "" : failure + "; ") + "rolled back" + (note.isEmpty() ? "" : ": " + note);
        }
        Object pause = job.get(PAUSE_MILLIS);
        return new Switch(direction, plan, parse(first.parameter()), last.run().status(), first.run().start(),
                last.run().end(), executions.size(), last.run().start(),
                job.containsKey(PrimarySide.SWITCH_DONE) && !rolledBack, rolledBack, number(pause), message, steps,
                reverify);
    }

    private static List<PhaseTiming> phases(Map<String, Object> ctx) {
        List<PhaseTiming> phases = new ArrayList<>();
        ctx.forEach((key, value) -> {
            Matcher m = PHASE.matcher(key);
            if (m.matches() && value instanceof Number n) {
                phases.add(new PhaseTiming(m.group(1), n.longValue()));
            }
        });
        phases.sort(PHASE_ORDER);
        return phases;
    }

    /** Unnumbered phases (work before the numbered ones, e.g. "prepare") first, then by number: the order they run. */
    private static final Comparator<PhaseTiming> PHASE_ORDER = Comparator
            .comparingInt((PhaseTiming p) -> leadingNumber(p.name())).thenComparing(PhaseTiming::name);

    private static int leadingNumber(String name) {
        Matcher m = Pattern.compile("^(\\d+)").matcher(name);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }

    private static Long millis(Timestamp start, Timestamp end) {
        return start == null || end == null ? null : end.getTime() - start.getTime();
    }

    private static Long number(Object value) {
        return value instanceof Number n ? n.longValue() : null;
    }

    private static long parse(String run) {
        try {
            return run == null ? 0 : Long.parseLong(run.trim());
        }
        catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The exception's message without its class name, first line only. */
    private static String firstLine(String exitMessage) {
        String line = exitMessage.strip().lines().findFirst().orElse("");
        return EXCEPTION_CLASS.matcher(line).replaceFirst("");
    }

    /**
     * The job's exit description ends with what the rollback did, or that it failed (after the failure's stack
     * trace); the repository truncates a long description, which may cut it off: then nothing is said.
     */
    private static String rollbackNote(String exitMessage) {
        if (exitMessage == null) {
            return "";
        }
        String last = exitMessage.lines().reduce((a, b) -> b).orElse("").replaceFirst("^;\\s*", "").strip();
        return last.contains("primary") || last.contains("rolling back failed") ? last : "";
    }
}
