package io.livemigrate.rehearse;

import io.livemigrate.core.LivemigrateApplication;
import io.livemigrate.core.MigrationResources;
import io.livemigrate.core.OwnerListener;
import io.livemigrate.keyrange.RangePartitionStepBuilder;
import io.livemigrate.ops.Throttle;
import io.livemigrate.ops.ThrottleStore;
import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.transaction.PlatformTransactionManager;

import javax.sql.DataSource;

/**
 * The rehearse job: the log's sessions split into {@code --sessions} partitions ({@code rehearse-replay:sessionsNNNN},
 * run on as many local threads), each chunk-oriented (read and classify, replay at a matched position, add to the
 * partition's statistics), then the report. Restartable like copy and verify: a partition resumes after its last
 * committed chunk. A stop ({@code livemigrate stop --job rehearse}, seen by {@link RehearsalStopWatcher}) ends the
 * partitions within a cancel and a chunk's commit, whatever they wait for ({@link RehearsalStop}); the execution ends
 * STOPPED, and a followed rehearsal's command then runs it again for the report alone. Needs a {@link RehearseOptions}
 * bean ({@code rehearseOptions}), registered by the command.
 */
@Configuration(proxyBeanMethods = false)
public class RehearseJobConfiguration {

    public static final String JOB_NAME = "rehearse";
    static final String WORKER_STEP = "rehearse-replay";

    @Bean
    Job rehearseJob(JobRepository jobRepository, PlatformTransactionManager tx, Step rehearsePartitionsStep,
                    RehearsalStore rehearsalStore, MigrationResources resources, RehearseOptions rehearseOptions,
                    ReplayShared replayShared, RehearsalStopWatcher rehearsalStopWatcher) {
        return new JobBuilder(JOB_NAME, jobRepository)
                .listener(new OwnerListener(jobRepository))
                .listener(rehearsalStopWatcher)
                .start(rehearsePartitionsStep)
                .next(new StepBuilder("rehearse-report", jobRepository)
                        .tasklet(new RehearsalReportTasklet(rehearsalStore, resources, rehearseOptions, replayShared), tx)
                        .allowStartIfComplete(true).build())
                .build();
    }

    @Bean
    RehearsalStore rehearsalStore(DataSource dataSource) {
        return new RehearsalStore(dataSource);
    }

    /** The running execution's stop, shared by its partition threads; re-armed for each execution. */
    @Bean
    RehearsalStop rehearsalStop() {
        return new RehearsalStop();
    }

    @Bean
    RehearsalStopWatcher rehearsalStopWatcher(RehearsalStop rehearsalStop, DataSource dataSource,
                                              @Qualifier(LivemigrateApplication.SCHEDULER) TaskScheduler scheduler) {
        return new RehearsalStopWatcher(rehearsalStop, dataSource, scheduler);
    }

    @Bean
    RehearsalProgress rehearsalProgress() {
        return new RehearsalProgress();
    }

    /**
     * The plan's throttle (livemigrate throttle changes it at runtime, one statement counting as one row), never above
     * {@code --rate}.
     */
    @Bean(destroyMethod = "close")
    Throttle rehearsalThrottle(DataSource dataSource, MigrationResources resources, RehearseOptions rehearseOptions,
                               @Qualifier(LivemigrateApplication.SCHEDULER) TaskScheduler scheduler) {
        return new Throttle(resources.plan().name(), new ThrottleStore(dataSource), resources.source(), scheduler)
                .ceiling(rehearseOptions.rate()).start();
    }

    @Bean
    ReplayShared replayShared(MigrationResources resources, JobRepository jobRepository, Throttle rehearsalThrottle) {
        return new ReplayShared(resources, jobRepository, rehearsalThrottle);
    }

    @Bean
    StatementLog rehearsalLog(MigrationResources resources, RehearseOptions rehearseOptions) {
        return StatementLog.open(rehearseOptions.log(), resources.engine());
    }

    @Bean
    Step rehearsePartitionsStep(JobRepository jobRepository, Step rehearseReplayStep, RehearseOptions rehearseOptions)
            throws Exception {
        return new RangePartitionStepBuilder("rehearse", jobRepository)
                .ranges(new SessionPartitioner(rehearseOptions.sessions()), rehearseReplayStep)
                .localThreads(rehearseOptions.sessions())
                .build();
    }

    @Bean
    Step rehearseReplayStep(JobRepository jobRepository, PlatformTransactionManager tx, RehearseOptions rehearseOptions,
                            SessionStatementReader rehearsalReader, ReplayProcessor replayProcessor,
                            RehearsalWriter rehearsalWriter) {
        return new StepBuilder(WORKER_STEP, jobRepository)
                .<ReplayItem, ReplayOutcome>chunk(rehearseOptions.chunkSize())
                .reader(rehearsalReader)
                .processor(replayProcessor)
                .writer(rehearsalWriter)
                .transactionManager(tx)
                .build();
    }

    @Bean
    @StepScope
    SessionStatementReader rehearsalReader(StatementLog rehearsalLog, MigrationResources resources,
                                           RehearseOptions rehearseOptions, RehearsalStop rehearsalStop,
                                           @Value("#{stepExecution}") StepExecution stepExecution) {
        var ctx = stepExecution.getExecutionContext();
        return new SessionStatementReader(rehearsalLog, resources.engine().rehearsal(),
                resources.plan().source().database(), ctx.getInt(SessionPartitioner.INDEX_KEY),
                ctx.getInt(SessionPartitioner.COUNT_KEY), rehearseOptions.sample(), rehearseOptions.follow(),
                rehearsalStop);
    }

    @Bean
    @StepScope
    ReplayProcessor replayProcessor(MigrationResources resources, ReplayShared replayShared,
                                    RehearsalStop rehearsalStop) {
        return new ReplayProcessor(resources, replayShared.matched(), replayShared.throttle(), rehearsalStop);
    }

    @Bean
    @StepScope
    RehearsalWriter rehearsalWriter(RehearsalStore rehearsalStore, RehearsalProgress rehearsalProgress,
                                    @Value("#{stepExecution}") StepExecution stepExecution) {
        return new RehearsalWriter(rehearsalStore, stepExecution, rehearsalProgress);
    }
}
