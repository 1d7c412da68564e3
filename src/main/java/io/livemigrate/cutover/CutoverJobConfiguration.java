package io.livemigrate.cutover;

import io.livemigrate.core.MigrationResources;
import io.livemigrate.core.MigrationTables;
import io.livemigrate.core.OwnerListener;
import io.livemigrate.core.TrafficSide;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.batch.infrastructure.support.transaction.ResourcelessTransactionManager;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

import java.util.List;

/**
 * The cutover job (also {@code revert}: the same job on the reversed plan): nine numbered steps, of which 2 (fence)
 * to 8 (unfence) are timed phases of one Spring Batch step, {@link CutoverPause}, so the job repository stays out
 * of the write pause. A run that fails before its switch is rolled back by {@link RollbackListener}.
 */
@Configuration(proxyBeanMethods = false)
public class CutoverJobConfiguration {

    public static final String JOB_NAME = TrafficSide.CUTOVER_JOB;
    public static final String RUN_PARAMETER = TrafficSide.RUN_PARAMETER;
    /** The steps and pause phases in order, as {@code --hold-before} names them. */
    public static final List<String> STEPS = List.of("1-preconditions", "2-fence", "3-drain", "4-reverify",
            "5-sequences", "6-reverse-stream", "7-switch", "8-unfence", "9-retire-stream");

    @FunctionalInterface
    interface StepBody {
        void run(ChunkContext chunk) throws Exception;
    }

    @Bean
    CutoverSteps cutoverSteps(MigrationResources resources, MigrationTables tables, JobRepository repository,
                              JobOperator operator) {
        return new CutoverSteps(resources, tables, repository, operator);
    }

    @Bean
    CutoverRuns cutoverRuns(JobRepository repository, JobOperator operator,
                            io.livemigrate.core.ResumableJobRunner runner, CutoverSteps steps) {
        return new CutoverRuns(repository, operator, runner, steps);
    }

    @Bean
    Job cutoverJob(JobRepository repository, PlatformTransactionManager tx, MigrationResources resources,
                   CutoverSteps s, javax.sql.DataSource dataSource) {
        return new JobBuilder(JOB_NAME, repository)
                .listener(new OwnerListener(repository))
                .listener(new RollbackListener(s, repository))
                .start(new StepBuilder("1-preconditions", repository).listener(new CutoverHold())
                        .tasklet(new PreconditionsTasklet(resources, repository,
                                new io.livemigrate.rehearse.RehearsalStore(dataSource)), tx).build())
                .next(new StepBuilder(CutoverPause.STEP, repository)
                        .tasklet(new CutoverPause(s, repository), new ResourcelessTransactionManager()).build())
                .next(step("9-retire-stream", s::retireStream, repository, tx))
                .build();
    }

    /**
     * Steps run without a surrounding repository transaction (as the pause step does): what {@link CutoverRecord}
     * writes must reach the job repository the moment it is written (a fence in force), not when the step commits.
     */
    private static Step step(String name, StepBody body, JobRepository repository, PlatformTransactionManager tx) {
        return new StepBuilder(name, repository).listener(new CutoverHold()).tasklet((contribution, chunk) -> {
            body.run(chunk);
            return RepeatStatus.FINISHED;
        }, new ResourcelessTransactionManager()).build();
    }

    /** Rolls a run back when it fails before its switch has started or while the switch fails. */
    static final class RollbackListener implements JobExecutionListener {

        private final CutoverSteps steps;
        private final JobRepository repository;

        RollbackListener(CutoverSteps steps, JobRepository repository) {
            this.steps = steps;
            this.repository = repository;
        }

        @Override
        public void afterJob(JobExecution execution) {
            if (execution.getStatus() != BatchStatus.FAILED || execution.getExecutionContext()
                    .containsKey(CutoverRecord.SWITCH_DONE)) {
                return;
            }
            try {
                String done = CutoverRollback.rollBack(new CutoverRecord(execution, repository),
                        steps.fenceAndSwitch());
                execution.setExitStatus(execution.getExitStatus().and(new ExitStatus("ROLLED_BACK", done)));
            }
            catch (Exception e) {
                execution.setExitStatus(execution.getExitStatus().and(new ExitStatus("ROLLBACK_FAILED",
                        "rolling back failed: " + e.getMessage() + "; lift the fence by hand")));
            }
        }
    }
}
