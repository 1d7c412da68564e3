package io.livemigrate.cli;

import io.livemigrate.core.JobContexts;
import io.livemigrate.cutover.CutoverHold;
import io.livemigrate.cutover.CutoverJobConfiguration;
import io.livemigrate.cutover.CutoverPhases;
import io.livemigrate.cutover.CutoverRecord;
import io.livemigrate.cutover.CutoverRefusedException;
import io.livemigrate.cutover.CutoverRuns;
import io.livemigrate.plan.MigrationPlan;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.Callable;

/**
 * {@code cutover}: fences writes on the source, drains catch-up, sets sequences, registers the reverse stream,
 * switches traffic and unfences; prints every step's time and the write pause. Exit 2: a precondition failed,
 * nothing touched. Exit 1: the run failed; before its switch it was rolled back (source primary, nothing lost),
 * after it running the command again finishes it.
 */
@Command(name = "cutover", mixinStandardHelpOptions = true,
        description = "Switch the application to the target with a short write pause (see the plan's cutover section).")
class CutoverCommand implements Callable<Integer> {

    @Mixin
    PlanOptions options;

    @Option(names = "--skip-verify", description = "Cut over without a clean verification (recorded).")
    boolean skipVerify;

    @Option(names = "--hold-before", paramLabel = "STEP", description = "Before this step (name or number, e.g. "
            + "2-fence or 7) does any work, wait while the --hold-file exists; go on when it is deleted. A go/no-go "
            + "gate before 2, or a recovery rehearsal at any step; held after 2-fence, writes stay fenced.")
    String holdBefore;

    @Option(names = "--hold-file", paramLabel = "FILE", description = "The file --hold-before waits on.")
    Path holdFile;

    @Override
    public Integer call() throws Exception {
        return run(options.loadPlan(), "cutover", skipVerify);
    }

    /** Shared with {@code revert}, which runs the same job on the reversed plan. */
    int run(MigrationPlan plan, String verb, boolean skipVerifications) throws Exception {
        CutoverHold.Request hold = CutoverHold.Request.NONE;
        if (holdBefore != null || holdFile != null) {
            var step = holdBefore == null ? java.util.Optional.<String>empty() : CutoverHold.step(holdBefore);
            if (step.isEmpty() || holdFile == null) {
                System.err.println(verb + ": --hold-before needs one of " + CutoverJobConfiguration.STEPS
                        + " (or its number) and --hold-file FILE");
                return ExitCodes.BAD_INPUT;
            }
            hold = new CutoverHold.Request(step.get(), holdFile);
        }
        System.out.println(verb + ": plan '" + plan.name() + "', " + plan.source().safeUrl() + " -> " + plan.target().safeUrl());
        try (ConfigurableApplicationContext ctx = JobContexts.open(plan, options.repositoryLocation(),
                CutoverJobConfiguration.class)) {
            CutoverRuns runs = ctx.getBean(CutoverRuns.class);
            if (runs.isCurrent(plan)) {
                System.out.println(verb + ": already done; traffic is on " + plan.target().safeUrl());
                return ExitCodes.OK;
            }
            JobExecution execution = runs.run(ctx.getBean("cutoverJob", Job.class), plan, skipVerifications, hold,
                    note -> System.out.println(verb + ": " + note));
            printSteps(execution);
            return summarize(verb, plan, execution);
        }
    }

    /** Each step with its time, and the pause step's phases under it. */
    private static void printSteps(JobExecution execution) {
        execution.getStepExecutions().stream().sorted(Comparator.comparing(StepExecution::getStepName)).forEach(s -> {
            System.out.printf("  %-18s %-9s %6d ms%n", s.getStepName(), s.getStatus(), s.getStartTime() == null
                    || s.getEndTime() == null ? 0 : Duration.between(s.getStartTime(), s.getEndTime()).toMillis());
            CutoverPhases.of(s.getExecutionContext()).forEach((phase, ms) ->
                    System.out.printf("    %-16s %16d ms%n", phase, ms));
        });
    }

    private static int summarize(String verb, MigrationPlan plan, JobExecution execution) {
        var ctx = execution.getExecutionContext();
        if (ctx.containsKey(CutoverRecord.PAUSE_MILLIS)) {
            System.out.println(verb + ": writes were held " + ctx.getLong(CutoverRecord.PAUSE_MILLIS) + " ms");
        }
        if (execution.getStatus() == BatchStatus.COMPLETED) {
            System.out.println(verb + ": done; the application now uses " + plan.target().safeUrl()
                    + ". Keep the way back open: catchup --plan " + plan.file() + (plan.isReverse() ? "" : " --reverse"));
            return ExitCodes.OK;
        }
        boolean refused = false;
        for (Throwable e : execution.getAllFailureExceptions()) {
            refused |= e instanceof CutoverRefusedException;
            System.err.println(verb + ": " + (refused ? "refused: " : "failed: ") + CopyCommand.rootMessage(e));
        }
        if (ctx.containsKey(CutoverRecord.ROLLED_BACK)) {
            System.err.println(verb + ": rolled back: " + execution.getExitStatus().getExitDescription()
                    .lines().reduce((a, b) -> b).orElse("").replaceFirst("^;\\s*", ""));
        }
        else if (ctx.containsKey(CutoverRecord.SWITCH_DONE)) {
            System.err.println(verb + ": traffic is already on the target; run " + verb + " again to finish");
        }
        return refused ? ExitCodes.BAD_INPUT : ExitCodes.JOB_FAILED;
    }
}
