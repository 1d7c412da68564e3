package io.livemigrate.cli;

import io.livemigrate.core.JobContexts;
import io.livemigrate.core.ResumableJobRunner;
import io.livemigrate.cutover.CompleteJobConfiguration;
import io.livemigrate.plan.MigrationPlan;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/**
 * {@code complete}: ends the migration: stops both directions' catch-up if running, then drops the replication
 * slots, publications and state tables livemigrate created on both servers and gives a read-only fence's grants back.
 * Data is left alone. Runs as the plan's {@code complete} job, so {@code status} shows the migration completed.
 */
@Command(name = "complete", mixinStandardHelpOptions = true,
        description = "Stop the reverse stream and remove livemigrate's slots, publications and state tables.")
class CompleteCommand implements Callable<Integer> {

    @Mixin
    PlanOptions options;

    @Override
    public Integer call() throws Exception {
        MigrationPlan plan = options.loadPlan();
        try (ConfigurableApplicationContext ctx = JobContexts.open(plan, options.repositoryLocation(),
                CompleteJobConfiguration.class)) {
            ResumableJobRunner.Outcome outcome = ctx.getBean(ResumableJobRunner.class)
                    .run(ctx.getBean("completeJob", Job.class), plan.name());
            JobExecution execution = outcome.execution();
            if (outcome.alreadyComplete()) {
                System.out.println("complete: already done (execution " + execution.getId() + ", ended "
                        + execution.getEndTime() + "); nothing to do");
                return ExitCodes.OK;
            }
            execution.getStepExecutions().forEach(step -> step.getExecutionContext()
                    .getString(CompleteJobConfiguration.DONE_KEY, "").lines()
                    .forEach(line -> System.out.println("complete: " + line)));
            if (execution.getStatus() == BatchStatus.COMPLETED) {
                System.out.println("complete: plan '" + plan.name() + "' finished; both databases' data left as it is");
                return ExitCodes.OK;
            }
            for (Throwable e : execution.getAllFailureExceptions()) {
                System.err.println("complete: failed: " + CopyCommand.rootMessage(e));
            }
            System.err.println("complete: run it again to finish (what is already removed stays removed)");
            return ExitCodes.JOB_FAILED;
        }
    }
}
