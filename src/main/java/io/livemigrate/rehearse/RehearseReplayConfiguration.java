package io.livemigrate.rehearse;

import io.livemigrate.core.LivemigrateApplication;
import io.livemigrate.core.MigrationResources;
import io.livemigrate.core.OwnerListener;
import io.livemigrate.ops.Throttle;
import io.livemigrate.ops.ThrottleStore;
import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.transaction.PlatformTransactionManager;

import javax.sql.DataSource;
import java.nio.file.Path;

/**
 * The rehearse job's worker side: the steps that replay one partition (a group of the log's sessions), in the
 * command's process for a local rehearsal and in {@code livemigrate worker} processes for a remote one. Needs no
 * command: everything a partition needs comes from its job execution's parameters (log, follow, sample, rate,
 * sessions; see {@link RehearsalRuns#next}) and its own execution context (which sessions, the log's identity).
 *
 * <p>Two steps, as Spring Batch 6's chunk-oriented step has a fixed chunk size: {@value #REPLAY_STEP} (100
 * statements a chunk) and {@value #FOLLOW_STEP} (one, see {@link RehearseOptions#chunkSize()}); the manager picks one
 * and names the partitions {@code rehearse-replay:sessionsNNNN} either way, so a rehearsal resumed with or without
 * {@code --follow} goes on with the same partitions.
 */
@Configuration(proxyBeanMethods = false)
public class RehearseReplayConfiguration {

    static final String REPLAY_STEP = "rehearse-replay";
    static final String FOLLOW_STEP = "rehearse-replay-follow";

    @Bean
    RehearsalStore rehearsalStore(DataSource dataSource) {
        return new RehearsalStore(dataSource);
    }

    @Bean
    RehearsalExecutions rehearsalExecutions(MigrationResources resources, JobRepository jobRepository,
                                            DataSource dataSource,
                                            @Qualifier(LivemigrateApplication.SCHEDULER) TaskScheduler scheduler) {
        return new RehearsalExecutions(resources, jobRepository, new RehearsalStopWatcher(dataSource, scheduler));
    }

    @Bean
    Step rehearseReplayStep(JobRepository jobRepository, PlatformTransactionManager tx,
                            SessionStatementReader rehearsalReader, ReplayProcessor replayProcessor,
                            RehearsalWriter rehearsalWriter) {
        return replayStep(REPLAY_STEP, RehearseOptions.REPLAY_CHUNK, jobRepository, tx, rehearsalReader,
                replayProcessor, rehearsalWriter);
    }

    @Bean
    Step rehearseFollowStep(JobRepository jobRepository, PlatformTransactionManager tx,
                            SessionStatementReader rehearsalReader, ReplayProcessor replayProcessor,
                            RehearsalWriter rehearsalWriter) {
        return replayStep(FOLLOW_STEP, RehearseOptions.FOLLOW_CHUNK, jobRepository, tx, rehearsalReader,
                replayProcessor, rehearsalWriter);
    }

    private static Step replayStep(String name, int chunk, JobRepository jobRepository, PlatformTransactionManager tx,
                                   SessionStatementReader reader, ReplayProcessor processor, RehearsalWriter writer) {
        return new StepBuilder(name, jobRepository)
                .<ReplayItem, ReplayOutcome>chunk(chunk)
                .reader(reader)
                .processor(processor)
                .writer(writer)
                .transactionManager(tx)
                .build();
    }

    @Bean
    @StepScope
    ReplayPartition replayPartition(RehearsalExecutions executions, MigrationResources resources,
                                    DataSource dataSource,
                                    @Qualifier(LivemigrateApplication.SCHEDULER) TaskScheduler scheduler,
                                    @Qualifier("rehearsalThrottle") ObjectProvider<Throttle> wholeRehearsal,
                                    @Value("#{jobParameters['rate']}") Long rate,
                                    @Value("#{jobParameters['sessions']}") Long sessions,
                                    @Value("#{stepExecution}") StepExecution stepExecution) {
        Throttle shared = wholeRehearsal.getIfAvailable();
        if (shared != null) {
            return new ReplayPartition(executions, stepExecution.getJobExecutionId(), shared, false);
        }
        Throttle own = new Throttle(resources.plan().name(), new ThrottleStore(dataSource), resources.source(),
                scheduler).ceiling(ReplayPartition.share(rate == null ? 0 : rate, sessions == null ? 1 : sessions))
                .start();
        return new ReplayPartition(executions, stepExecution.getJobExecutionId(), own, true);
    }

    @Bean
    @StepScope
    SessionStatementReader rehearsalReader(MigrationResources resources, ReplayPartition replayPartition,
                                           @Value("#{jobParameters['log']}") String log,
                                           @Value("#{jobParameters['follow']}") String follow,
                                           @Value("#{jobParameters['sample']}") Double sample,
                                           @Value("#{stepExecution}") StepExecution stepExecution) {
        var ctx = stepExecution.getExecutionContext();
        String identity = ctx.containsKey(SessionPartitioner.LOG_IDENTITY_KEY)
                ? ctx.getString(SessionPartitioner.LOG_IDENTITY_KEY) : null;
        return new SessionStatementReader(
                () -> LogIdentity.openSame(Path.of(log), resources.engine(), identity, OwnerListener.hostName()),
                resources.engine().rehearsal(), resources.plan().source().database(),
                ctx.getInt(SessionPartitioner.INDEX_KEY), ctx.getInt(SessionPartitioner.COUNT_KEY),
                sample == null ? 1 : sample, Boolean.parseBoolean(follow), replayPartition.stop());
    }

    @Bean
    @StepScope
    ReplayProcessor replayProcessor(MigrationResources resources, ReplayPartition replayPartition) {
        return new ReplayProcessor(resources, replayPartition.matched(), replayPartition.throttle(),
                replayPartition.stop());
    }

    @Bean
    @StepScope
    RehearsalWriter rehearsalWriter(RehearsalStore rehearsalStore,
                                    @Value("#{stepExecution}") StepExecution stepExecution) {
        return new RehearsalWriter(rehearsalStore, stepExecution);
    }
}
