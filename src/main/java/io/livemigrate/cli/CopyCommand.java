package io.livemigrate.cli;

import io.livemigrate.check.PreflightReport;
import io.livemigrate.copy.CapturePositionTasklet;
import io.livemigrate.copy.CopyJobConfiguration;
import io.livemigrate.copy.CopyProgress;
import io.livemigrate.core.ResumableJobRunner;
import io.livemigrate.plan.MigrationPlan;
import io.livemigrate.scaleout.ScaleOutSettings;
import io.livemigrate.scaleout.ScaleOutContexts;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/**
 * {@code copy}: preflight, then the partitioned bulk copy job. Running it again after a failure or a kill resumes
 * it: finished partitions are kept, unfinished ones continue from their last committed chunk.
 */
@Command(name = "copy", mixinStandardHelpOptions = true,
        description = "Copy the plan's tables to the target (restartable: run it again to resume).")
class CopyCommand implements Callable<Integer> {

    @Mixin
    PlanOptions options;

    @Mixin
    WorkersOptions workers;

    @Override
    public Integer call() throws Exception {
        MigrationPlan plan = options.loadPlan();
        PreflightReport report = Preflights.run(plan, options.repositoryLocation());
        if (!report.passed()) {
            report.print(System.err);
            return ExitCodes.BAD_INPUT;
        }
        ScaleOutSettings remote = workers.resolve(options, plan);
        System.out.println("copy: plan '" + plan.name() + "', " + report.tables().size() + " table(s), "
                + (remote == null ? plan.copy().threads() + " thread(s)" : "remote workers") + ", "
                + plan.copy().chunkRows() + " rows per chunk");
        try (ConfigurableApplicationContext ctx = ScaleOutContexts.manager(plan, options.repositoryLocation(), remote,
                CopyJobConfiguration.class)) {
            CopyProgress progress = ctx.getBean(CopyProgress.class);
            ResumableJobRunner.Outcome outcome;
            try (ConsoleProgress console = new ConsoleProgress(progress, System.out).start()) {
                outcome = ctx.getBean(ResumableJobRunner.class).run(ctx.getBean("copyJob", Job.class), plan.name());
            }
            return summarize(outcome, progress);
        }
    }

    private static int summarize(ResumableJobRunner.Outcome outcome, CopyProgress progress) {
        JobExecution execution = outcome.execution();
        if (outcome.alreadyComplete()) {
            System.out.println("copy: already complete (execution " + execution.getId() + ", finished "
                    + execution.getEndTime() + "); nothing to do");
            return ExitCodes.OK;
        }
        System.out.println();
        progress.tables().forEach((table, counter) -> System.out.println(ConsoleProgress.line(table, counter)));
        double seconds = progress.seconds();
        System.out.printf("copy: %s%s: %,d rows in %.1f s (%,.0f rows/s), execution %d%n",
                execution.getStatus(), outcome.resumed() ? " (resumed)" : "", progress.totalRows(), seconds,
                seconds > 0 ? progress.totalRows() / seconds : 0, execution.getId());
        if (execution.getExecutionContext().containsKey(CapturePositionTasklet.POSITION_KEY)) {
            System.out.println("copy: change capture starts at "
                    + execution.getExecutionContext().getString(CapturePositionTasklet.POSITION_KEY));
        }
        if (execution.getStatus() != BatchStatus.COMPLETED) {
            execution.getAllFailureExceptions().forEach(e -> System.err.println("copy: failed: " + rootMessage(e)));
            System.err.println("copy: run the same command again to resume from the last committed chunk");
            return ExitCodes.JOB_FAILED;
        }
        return ExitCodes.OK;
    }

    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == t ? String.valueOf(t.getMessage()) : t.getMessage() + " (" + root.getMessage() + ")";
    }
}
