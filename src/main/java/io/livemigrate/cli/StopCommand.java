package io.livemigrate.cli;

import io.livemigrate.catchup.CatchupJobConfiguration;
import io.livemigrate.core.JobContexts;
import io.livemigrate.core.ResumableJobRunner;
import io.livemigrate.plan.MigrationPlan;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code stop}: asks the running catch-up (or rehearsal) of the plan to stop (JobOperator.stop marks the execution in
 * the job repository, which the running process checks several times a second); it finishes its target transaction
 * and ends STOPPED. Waits for that unless {@code --no-wait}: until every step of the execution has ended, or its
 * process is gone. The execution's own status is no sign: Spring Batch 6.0 stores it as STOPPED as soon as the stop
 * is asked for, while the execution still runs (spring-batch#5114).
 */
@Command(name = "stop", mixinStandardHelpOptions = true,
        description = "Stop the plan's running catch-up gracefully (it finishes its current target transaction).")
class StopCommand implements Callable<Integer> {

    @Mixin
    PlanOptions options;

    @Option(names = "--no-wait", description = "Return once the stop is requested.")
    boolean noWait;

    @Option(names = "--job", defaultValue = CatchupJobConfiguration.JOB_NAME, paramLabel = "<job>",
            description = "The job to stop: catchup (default) or rehearse (a --follow rehearsal then reports).")
    String job;

    @Override
    public Integer call() throws Exception {
        MigrationPlan plan = options.loadPlan();
        try (ConfigurableApplicationContext ctx = JobContexts.open(plan, options.repositoryLocation())) {
            ResumableJobRunner runner = ctx.getBean(ResumableJobRunner.class);
            Optional<JobExecution> last = job.equals(io.livemigrate.rehearse.RehearseJobConfiguration.JOB_NAME)
                    ? io.livemigrate.rehearse.RehearsalRuns.latest(ctx.getBean(JobRepository.class), plan.name())
                    : runner.lastExecution(job, plan.name());
            if (last.isEmpty() || !last.get().getStatus().isRunning()) {
                System.out.println("stop: no " + job + " of plan '" + plan.name() + "' is running");
                return ExitCodes.OK;
            }
            JobExecution execution = last.get();
            ctx.getBean(JobOperator.class).stop(execution);
            System.out.println("stop: requested for execution " + execution.getId());
            if (noWait) {
                return ExitCodes.OK;
            }
            JobRepository repository = ctx.getBean(JobRepository.class);
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (System.nanoTime() < deadline) {
                JobExecution now = repository.getJobExecution(execution.getId());
                if (now == null || ended(now, execution)) {
                    System.out.println("stop: execution " + execution.getId() + " is "
                            + (now == null ? "gone" : now.getStatus()));
                    return ExitCodes.OK;
                }
                Thread.sleep(200);
            }
            System.err.println("stop: execution " + execution.getId() + " has not stopped within 120 s (a large source"
                    + " transaction may still be applying); it stops when that commits");
            return ExitCodes.JOB_FAILED;
        }
    }

    /**
     * The execution no longer runs: none of its steps is running ({@code now}, as read again), or the process that ran
     * it is gone (its owner, in the context of {@code owned}, the execution as first read).
     */
    private static boolean ended(JobExecution now, JobExecution owned) {
        return !now.getStatus().isRunning()
                && now.getStepExecutions().stream().noneMatch(s -> s.getStatus().isRunning())
                || !ResumableJobRunner.ownerAlive(owned);
    }
}
