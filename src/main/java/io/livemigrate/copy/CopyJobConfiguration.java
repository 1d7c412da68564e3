package io.livemigrate.copy;

import io.livemigrate.core.LivemigrateApplication;
import io.livemigrate.core.MigrationResources;
import io.livemigrate.core.MigrationTables;
import io.livemigrate.core.OwnerListener;
import io.livemigrate.keyrange.KeyRangePartitioner;
import io.livemigrate.keyrange.KeySlice;
import io.livemigrate.keyrange.KeySliceReader;
import io.livemigrate.keyrange.RangePartitionStepBuilder;
import io.livemigrate.keyrange.SplitRangesTasklet;
import io.livemigrate.ops.MigrationMetrics;
import io.livemigrate.ops.Throttle;
import io.livemigrate.ops.ThrottleStore;
import io.livemigrate.scaleout.RemotePartitioning;
import org.springframework.batch.core.configuration.annotation.JobScope;
import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
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

/**
 * The copy job: capture the change position, prepare the target schema, split tables into key ranges, copy the
 * ranges in parallel partitions (chunk-oriented, one checkpoint per chunk), then build deferred indexes.
 */
@Configuration(proxyBeanMethods = false)
public class CopyJobConfiguration {

    public static final String JOB_NAME = "copy";

    @Bean
    Job copyJob(JobRepository jobRepository, PlatformTransactionManager tx, MigrationResources resources,
                MigrationTables tables, Step copyPartitionsStep, CopyProgress progress) {
        return new JobBuilder(JOB_NAME, jobRepository)
                .listener(new OwnerListener(jobRepository))
                .listener(new ExpectedRowsListener(resources, tables, progress))
                .start(new StepBuilder("capture-position", jobRepository)
                        .tasklet(new CapturePositionTasklet(resources, tables.ids()), tx).build())
                .next(new StepBuilder("prepare-schema", jobRepository)
                        .tasklet(new PrepareSchemaTasklet(resources, tables.ids()), tx)
                        .allowStartIfComplete(true).build())
                .next(new StepBuilder("split-ranges", jobRepository)
                        .tasklet(new SplitRangesTasklet(resources, tables.ids()), tx).build())
                .next(copyPartitionsStep)
                .next(new StepBuilder("build-indexes", jobRepository)
                        .tasklet(new BuildIndexesTasklet(resources, tables), tx).build())
                .build();
    }

    @Bean
    CopyProgress copyProgress() {
        return new CopyProgress();
    }

    /** The plan's throttle (livemigrate throttle), polled from the job repository while this process runs. */
    @Bean(destroyMethod = "close")
    Throttle copyThrottle(javax.sql.DataSource dataSource, MigrationResources resources,
                          @Qualifier(LivemigrateApplication.SCHEDULER) TaskScheduler scheduler) {
        return new Throttle(resources.plan().name(), new ThrottleStore(dataSource), resources.source(), scheduler)
                .start();
    }

    @Bean
    Step copyPartitionsStep(JobRepository jobRepository, Step copyRangeStep, KeyRangePartitioner copyPartitioner,
                            MigrationResources resources, CopyProgress progress,
                            ObjectProvider<RemotePartitioning> remote) throws Exception {
        // copy --workers remote: the same partitions, run by worker processes (issue 7)
        return new RangePartitionStepBuilder("copy", jobRepository)
                .ranges(copyPartitioner, copyRangeStep)
                .localThreads(resources.plan().copy().threads())
                .remote(remote.getIfAvailable(), new CopyPartitionProgress(progress, copyRangeStep.getName()))
                .build();
    }

    @Bean
    @JobScope
    KeyRangePartitioner copyPartitioner(@Value("#{jobExecutionContext['" + SplitRangesTasklet.RANGES_KEY + "']}")
                                        String ranges) {
        return new KeyRangePartitioner(ranges);
    }

    @Bean
    Step copyRangeStep(JobRepository jobRepository, PlatformTransactionManager tx, KeySliceReader keySliceReader,
                       SliceCopyWriter sliceCopyWriter) {
        // One slice (chunk-rows rows) per chunk: each chunk is one target transaction and one checkpoint.
        return new StepBuilder("copy-range", jobRepository)
                .<KeySlice, KeySlice>chunk(1)
                .reader(keySliceReader)
                .writer(sliceCopyWriter)
                .transactionManager(tx)
                .build();
    }

    @Bean
    @StepScope
    KeySliceReader keySliceReader(MigrationResources resources) {
        return new KeySliceReader(resources, resources.plan().copy().chunkRows());
    }

    @Bean
    @StepScope
    SliceCopyWriter sliceCopyWriter(MigrationResources resources, CopyProgress progress,
                                    @Value("#{stepExecution}") StepExecution stepExecution, Throttle copyThrottle) {
        return new SliceCopyWriter(resources, progress, stepExecution, copyThrottle, MigrationMetrics.global());
    }
}
