package io.livemigrate.cli;

import io.livemigrate.catchup.CatchupJobConfiguration;
import io.livemigrate.core.ExecutionStopper;
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

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code stop}: asks the running catch-up of the plan to stop (JobOperator.stop, which the running process sees in the
 * job repository within half a second); it finishes its target transaction and ends STOPPED. Waits for that end (its
 * step ended, not only the job's status, which Spring Batch sets at once) unless {@code --no-wait}. A catch-up whose
 * process on this host is gone is marked FAILED instead ({@link ExecutionStopper}).
 */
@Command(name = "stop", mixinStandardHelpOptions = true,
        description = "Stop the plan's running catch-up gracefully (it finishes its current target transaction).")
class StopCommand implements Callable<Integer> {

    private static final Duration WAIT = Duration.ofSeconds(120);

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
            if (last.isEmpty() || ExecutionStopper.ended(last.get())) {
                System.out.println("stop: no " + job + " of plan '" + plan.name() + "' is running");
                return ExitCodes.OK;
            }
            JobExecution execution = last.get();
            ExecutionStopper stopper = new ExecutionStopper(ctx.getBean(JobOperator.class),
                    ctx.getBean(JobRepository.class));
            ExecutionStopper.Outcome outcome = noWait ? stopper.request(execution) : stopper.stop(execution, WAIT);
            switch (outcome.result()) {
                case REQUESTED -> System.out.println("stop: requested for execution " + execution.getId());
                case NOT_RUNNING, ENDED -> System.out.println("stop: execution " + execution.getId() + " is "
                        + outcome.execution().getStatus());
                case OWNER_GONE -> System.out.println("stop: execution " + execution.getId() + " was not running: its "
                        + outcome.ownerText() + " is gone (killed or crashed); marked "
                        + outcome.execution().getStatus() + ", so running " + job + " again resumes it");
                case STILL_RUNNING -> {
                    System.err.println("stop: execution " + execution.getId() + " has not stopped within "
                            + WAIT.toSeconds() + " s (a large source transaction may still be applying; "
                            + (outcome.ownerText().isEmpty() ? "its process was not recorded" : outcome.ownerText())
                            + "); it stops when that commits");
                    return ExitCodes.JOB_FAILED;
                }
            }
            return ExitCodes.OK;
        }
    }
}
