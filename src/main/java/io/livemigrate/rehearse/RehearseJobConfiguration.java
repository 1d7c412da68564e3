package io.livemigrate.rehearse;

import io.livemigrate.core.LivemigrateApplication;
import io.livemigrate.core.MigrationResources;
import io.livemigrate.core.OwnerListener;
import io.livemigrate.keyrange.RangePartitionStepBuilder;
import io.livemigrate.ops.Throttle;
import io.livemigrate.ops.ThrottleStore;
import io.livemigrate.scaleout.PartitionObserver;
import io.livemigrate.scaleout.RemotePartitioning;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Lazy;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.transaction.PlatformTransactionManager;

import javax.sql.DataSource;

/**
 * The rehearse job, the command's side: the log's sessions split into {@code --sessions} partitions
 * ({@code rehearse-replay:sessionsNNNN}), run on as many local threads or, with {@code --workers remote}, by worker
 * processes ({@link RehearseReplayConfiguration} is the part both run), each chunk-oriented (read and classify,
 * replay at a matched position, add to the partition's statistics), then the report, here. Restartable like copy and
 * verify: a partition resumes after its last committed chunk. A stop ({@code livemigrate stop --job rehearse}) reaches
 * every process running partitions of the execution ({@link RehearsalExecutions}) and ends them within a cancel and a
 * chunk's commit, whatever they wait for ({@link RehearsalStop}); the execution ends STOPPED, and a followed
 * rehearsal's command then runs it again for the report alone. Needs a {@link RehearseOptions} bean
 * ({@code rehearseOptions}), registered by the command.
 */
@Configuration(proxyBeanMethods = false)
@Import(RehearseReplayConfiguration.class)
public class RehearseJobConfiguration {

    public static final String JOB_NAME = "rehearse";

    @Bean
    Job rehearseJob(JobRepository jobRepository, PlatformTransactionManager tx, Step rehearsePartitionsStep,
                    RehearsalStore rehearsalStore, MigrationResources resources, RehearseOptions rehearseOptions) {
        return new JobBuilder(JOB_NAME, jobRepository)
                .listener(new OwnerListener(jobRepository))
                .start(rehearsePartitionsStep)
                .next(new StepBuilder("rehearse-report", jobRepository)
                        .tasklet(new RehearsalReportTasklet(rehearsalStore, resources, rehearseOptions.regressions(),
                                jobRepository), tx)
                        .allowStartIfComplete(true).build())
                .build();
    }

    /**
     * The throttle the partitions of a local rehearsal share: the plan's (livemigrate throttle changes it at runtime,
     * one statement counting as one row), never above {@code --rate}. Remote workers pace by their share instead
     * ({@link ReplayPartition}); lazy, so a remote rehearsal's command never polls for one.
     */
    @Bean(destroyMethod = "close")
    @Lazy
    Throttle rehearsalThrottle(DataSource dataSource, MigrationResources resources, RehearseOptions rehearseOptions,
                               @Qualifier(LivemigrateApplication.SCHEDULER) TaskScheduler scheduler) {
        return new Throttle(resources.plan().name(), new ThrottleStore(dataSource), resources.source(), scheduler)
                .ceiling(rehearseOptions.rate()).start();
    }

    @Bean
    Step rehearsePartitionsStep(JobRepository jobRepository, Step rehearseReplayStep, Step rehearseFollowStep,
                                RehearseOptions rehearseOptions, MigrationResources resources,
                                ObjectProvider<RemotePartitioning> remote) throws Exception {
        return new RangePartitionStepBuilder("rehearse", jobRepository)
                .ranges(new SessionPartitioner(rehearseOptions.sessions(),
                                () -> LogIdentity.of(StatementLog.open(rehearseOptions.log(), resources.engine()))),
                        rehearseOptions.follow() ? rehearseFollowStep : rehearseReplayStep)
                .partitionNames(RehearseReplayConfiguration.REPLAY_STEP)
                .localThreads(rehearseOptions.sessions())
                .remote(remote.getIfAvailable(), PartitionObserver.NONE)
                .build();
    }
}
