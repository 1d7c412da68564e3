package io.livemigrate.cli;

import io.livemigrate.catchup.CatchupJobConfiguration;
import io.livemigrate.core.JobContexts;
import io.livemigrate.core.MigrationResources;
import io.livemigrate.core.ResumableJobRunner;
import io.livemigrate.cutover.CutoverCleanup;
import io.livemigrate.plan.MigrationPlan;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * {@code complete}: ends the migration: stops both directions' catch-up if running, then drops the replication
 * slots, publications and state tables livemigrate created on both servers. Data is left alone.
 */
@Command(name = "complete", mixinStandardHelpOptions = true,
        description = "Stop the reverse stream and remove livemigrate's slots, publications and state tables.")
class CompleteCommand implements Callable<Integer> {

    @Mixin
    PlanOptions options;

    @Override
    public Integer call() throws Exception {
        MigrationPlan plan = options.loadPlan();
        try (ConfigurableApplicationContext ctx = JobContexts.open(plan, options.repositoryLocation())) {
            ResumableJobRunner runner = ctx.getBean(ResumableJobRunner.class);
            for (String name : new String[] {plan.name(), plan.reversed().name()}) {
                stop(ctx, runner.lastExecution(CatchupJobConfiguration.JOB_NAME, name), name);
            }
            CutoverCleanup.dropAll(ctx.getBean(MigrationResources.class))
                    .forEach(line -> System.out.println("complete: dropped " + line));
            System.out.println("complete: plan '" + plan.name() + "' finished; both databases' data left as it is");
            return ExitCodes.OK;
        }
    }

    private static void stop(ConfigurableApplicationContext ctx, Optional<JobExecution> last, String plan)
            throws Exception {
        if (last.isEmpty() || !last.get().getStatus().isRunning()) {
            return;
        }
        ctx.getBean(JobOperator.class).stop(last.get());
        JobRepository repository = ctx.getBean(JobRepository.class);
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            JobExecution now = repository.getJobExecution(last.get().getId());
            if (now == null || !now.getStatus().isRunning()) {
                System.out.println("complete: catch-up of " + plan + " stopped");
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the catch-up of " + plan + " did not stop within 60 s; stop it and run complete again");
    }
}
