package io.livemigrate.verify;

import io.livemigrate.core.MigrationResources;
import io.livemigrate.core.MigrationTables;
import io.livemigrate.core.OwnerListener;
import io.livemigrate.keyrange.KeyRangePartitioner;
import io.livemigrate.keyrange.KeySlice;
import io.livemigrate.keyrange.KeySliceReader;
import io.livemigrate.keyrange.RangePartitionStepBuilder;
import io.livemigrate.keyrange.SplitRangesTasklet;
import io.livemigrate.plan.MigrationPlan;
import io.livemigrate.scaleout.PartitionObserver;
import io.livemigrate.scaleout.RemotePartitioning;
import org.springframework.batch.core.configuration.annotation.JobScope;
import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

import javax.sql.DataSource;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The verify job: take the copy's key ranges (or split afresh), verify the ranges in parallel partitions
 * ({@code verify-range:<table>#NNNN}, chunk-oriented, one key slice and one checkpoint per chunk), then report.
 * Job parameters: {@code plan} and {@code verify.run} identify the instance (a completed verification is followed by
 * a new run); {@code repair} and {@code chunk-rows} may change when a run is resumed.
 */
@Configuration(proxyBeanMethods = false)
public class VerifyJobConfiguration {

    public static final String JOB_NAME = "verify";
    public static final String RUN_PARAMETER = "verify.run";
    public static final String REPAIR_PARAMETER = "repair";
    public static final String CHUNK_ROWS_PARAMETER = "chunk-rows";
    /** In the job execution context: rows this execution verified, not those of partitions verified before a restart. */
    public static final String ROWS_THIS_EXECUTION_KEY = "verify.rows-this-execution";
    static final String WORKER_STEP = "verify-range";

    @Bean
    Job verifyJob(JobRepository jobRepository, PlatformTransactionManager tx, MigrationResources resources,
                  MigrationTables tables, MigrationPlan plan, Step verifyPartitionsStep, VerifyReportStore verifyReportStore) {
        return new JobBuilder(JOB_NAME, jobRepository)
                .listener(new OwnerListener(jobRepository))
                .start(new StepBuilder("verify-mark", jobRepository)
                        .tasklet(new CatchupMarkTasklet(resources), tx).build())
                .next(new StepBuilder("verify-ranges", jobRepository)
                        .tasklet(new RecordedRangesTasklet(jobRepository, plan.name()), tx).build())
                .next(new StepBuilder("verify-split", jobRepository)
                        .tasklet(new SplitRangesTasklet(resources, tables.ids()), tx).build())
                .next(verifyPartitionsStep)
                .next(new StepBuilder("verify-report", jobRepository)
                        .tasklet(new VerifyReportTasklet(jobRepository, verifyReportStore, resources), tx)
                        .allowStartIfComplete(true).build())
                .build();
    }

    @Bean
    VerifyReportStore verifyReportStore(DataSource dataSource) {
        return new VerifyReportStore(dataSource);
    }

    @Bean
    VerifyDigesters verifyDigesters(MigrationResources resources) {
        return new VerifyDigesters(resources);
    }

    /** Rows verified in this process, for the command's summary. */
    @Bean
    AtomicLong verifyProgress() {
        return new AtomicLong();
    }

    @Bean
    Step verifyPartitionsStep(JobRepository jobRepository, Step verifyRangeStep, KeyRangePartitioner verifyPartitioner,
                              MigrationResources resources,
                              ObjectProvider<RemotePartitioning> remote) throws Exception {
        // verify --workers remote: the same partitions, run by worker processes (issue 7)
        return new RangePartitionStepBuilder("verify", jobRepository)
                .ranges(verifyPartitioner, verifyRangeStep)
                .localThreads(resources.plan().copy().threads())
                .remote(remote.getIfAvailable(), PartitionObserver.NONE)
                .build();
    }

    @Bean
    @JobScope
    KeyRangePartitioner verifyPartitioner(@Value("#{jobExecutionContext['" + SplitRangesTasklet.RANGES_KEY + "']}")
                                          String ranges) {
        return new KeyRangePartitioner(ranges);
    }

    @Bean
    Step verifyRangeStep(JobRepository jobRepository, PlatformTransactionManager tx,
                         ItemStreamReader<KeySlice> verifySliceReader,
                         SliceVerifyWriter sliceVerifyWriter) {
        return new StepBuilder(WORKER_STEP, jobRepository)
                .<KeySlice, KeySlice>chunk(1)
                .reader(verifySliceReader)
                .writer(sliceVerifyWriter)
                .transactionManager(tx)
                .listener(new PartitionRowsBeforeListener())
                .build();
    }

    @Bean
    @StepScope
    ItemStreamReader<KeySlice> verifySliceReader(MigrationResources resources,
                                     @Value("#{jobParameters['" + CHUNK_ROWS_PARAMETER + "']}") Long chunkRows) {
        return chunkRows == null || chunkRows <= 0 ? new WholeRangeReader(resources)
                : new KeySliceReader(resources, chunkRows.intValue());
    }

    @Bean
    @StepScope
    SliceVerifyWriter sliceVerifyWriter(MigrationResources resources, VerifyDigesters digesters,
                                        JobRepository jobRepository, VerifyReportStore store,
                                        AtomicLong verifyProgress,
                                        @Value("#{jobParameters['" + REPAIR_PARAMETER + "']}") String repair,
                                        @Value("#{stepExecution}") StepExecution stepExecution) {
        // While catch-up runs, a differing row may only not be replayed yet: it is rechecked before it counts.
        AppliedPositionProbe probe = CatchupAppliedProbe.ifCatchupRunning(resources, jobRepository).orElse(null);
        return new SliceVerifyWriter(resources, digesters, probe, Boolean.parseBoolean(repair), store,
                stepExecution, verifyProgress);
    }
}
