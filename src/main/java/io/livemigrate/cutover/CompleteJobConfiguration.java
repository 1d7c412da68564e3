package io.livemigrate.cutover;

import io.livemigrate.catchup.CatchupJobConfiguration;
import io.livemigrate.core.MigrationResources;
import io.livemigrate.core.OwnerListener;
import io.livemigrate.core.ResumableJobRunner;
import io.livemigrate.repository.MigrationStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.batch.infrastructure.support.transaction.ResourcelessTransactionManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code complete} as a one-step job of the plan, so the job repository records that the migration ended, when, and
 * what it removed ({@code status} reads it): both directions' catch-up stopped if running, then each direction's
 * capture objects and state tables dropped and the fence's grants restored ({@link CutoverCleanup}). Idempotent: a
 * failed run is run again by running {@code complete} again; a completed one is not run twice.
 */
@Configuration(proxyBeanMethods = false)
public class CompleteJobConfiguration {

    public static final String JOB_NAME = MigrationStatus.COMPLETE_JOB;
    /** Step context: what was stopped and removed, one line each. */
    public static final String DONE_KEY = "complete.done";
    private static final long STOP_WAIT_MILLIS = 60_000;

    @Bean
    Job completeJob(JobRepository repository, JobOperator operator, MigrationResources resources) {
        return new JobBuilder(JOB_NAME, repository)
                .listener(new OwnerListener(repository))
                .start(new StepBuilder("complete", repository).tasklet((contribution, chunk) -> {
                    List<String> done = new ArrayList<>();
                    for (String plan : List.of(resources.plan().name(), resources.plan().reversed().name())) {
                        stopCatchup(repository, operator, plan).ifPresent(done::add);
                    }
                    CutoverCleanup.dropAll(resources).forEach(line -> done.add("dropped " + line));
                    ExecutionContext ctx = chunk.getStepContext().getStepExecution().getExecutionContext();
                    ctx.putString(DONE_KEY, String.join("\n", done));
                    return RepeatStatus.FINISHED;
                }, new ResourcelessTransactionManager()).build())
                .build();
    }

    private static Optional<String> stopCatchup(JobRepository repository, JobOperator operator, String plan)
            throws Exception {
        Optional<JobExecution> last = ResumableJobRunner.lastExecution(repository, CatchupJobConfiguration.JOB_NAME, plan);
        if (last.isEmpty() || !last.get().getStatus().isRunning()) {
            return Optional.empty();
        }
        operator.stop(last.get());
        long deadline = System.currentTimeMillis() + STOP_WAIT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            JobExecution now = repository.getJobExecution(last.get().getId());
            if (now == null || !now.getStatus().isRunning()) {
                return Optional.of("catch-up of " + plan + " stopped");
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the catch-up of " + plan + " did not stop within 60 s; stop it ('stop --plan"
                + "', or end its process) and run complete again");
    }
}
