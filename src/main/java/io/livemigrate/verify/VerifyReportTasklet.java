package io.livemigrate.verify;

import io.livemigrate.catchup.ChangedKeys;
import io.livemigrate.core.MigrationResources;
import java.sql.Connection;
import java.sql.SQLException;

import io.livemigrate.keyrange.CopyRange;
import io.livemigrate.keyrange.KeyRangePartitioner;
import io.livemigrate.keyrange.SplitRangesTasklet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import java.util.Map;
import java.util.TreeMap;

/**
 * Step 4: sums each table's partitions (the latest execution of every {@code verify-range:} step of this job
 * instance, so partitions verified before a restart count once), stores the totals in the repository
 * (LIVEMIGRATE_VERIFY_TABLE, and as {@code verify.<table>.*} longs in this step's context for {@code status}),
 * trims the sample keys to {@link VerifyReportStore#SAMPLES_PER_TABLE} per table, and ends with exit status
 * DIFFERENCES or EQUAL.
 */
class VerifyReportTasklet implements Tasklet {

    static final String DIFFERENCES_KEY = "verify.differences";
    private static final Logger log = LoggerFactory.getLogger(VerifyReportTasklet.class);

    private final JobRepository jobRepository;
    private final VerifyReportStore store;
    private final MigrationResources resources;
    private final String plan;

    VerifyReportTasklet(JobRepository jobRepository, VerifyReportStore store, MigrationResources resources) {
        this.jobRepository = jobRepository;
        this.store = store;
        this.resources = resources;
        this.plan = resources.plan().name();
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws SQLException {
        StepExecution step = chunkContext.getStepContext().getStepExecution();
        JobExecution job = step.getJobExecution();
        Map<String, String> partitionTables = new TreeMap<>();
        new KeyRangePartitioner(job.getExecutionContext().getString(SplitRangesTasklet.RANGES_KEY)).partition(1)
                .forEach((name, ctx) -> partitionTables.put(name, CopyRange.fromContext(ctx).table().qualified()));
        Map<String, VerifyCounts> totals = new TreeMap<>();
        partitionTables.values().forEach(t -> totals.putIfAbsent(t, new VerifyCounts()));
        long rowsThisExecution = 0;
        for (Map.Entry<String, String> p : partitionTables.entrySet()) {
            StepExecution worker = jobRepository.getLastStepExecution(job.getJobInstance(),
                    VerifyJobConfiguration.WORKER_STEP + ":" + p.getKey());
            if (worker != null) {
                totals.get(p.getValue()).add(VerifyCounts.from(worker.getExecutionContext()));
                if (worker.getJobExecutionId() == job.getId()) {
                    rowsThisExecution +=
                            PartitionRowsBeforeListener.verifiedByThisExecution(worker.getExecutionContext());
                }
            }
        }
        job.getExecutionContext().putLong(VerifyJobConfiguration.ROWS_THIS_EXECUTION_KEY, rowsThisExecution);
        long instance = job.getJobInstance().getInstanceId();
        long differences = 0;
        for (Map.Entry<String, VerifyCounts> t : totals.entrySet()) {
            store.trimDifferences(instance, t.getKey());
            VerifyCounts c = t.getValue();
            differences += c.differences();
            String prefix = "verify." + t.getKey() + ".";
            step.getExecutionContext().putLong(prefix + "compared", c.compared());
            step.getExecutionContext().putLong(prefix + "matching", c.matching());
            step.getExecutionContext().putLong(prefix + "missing", c.missing());
            step.getExecutionContext().putLong(prefix + "extra", c.extra());
            step.getExecutionContext().putLong(prefix + "different", c.different());
            step.getExecutionContext().putLong(prefix + "influx", c.inFlux());
            step.getExecutionContext().putLong(prefix + "repaired", c.repaired());
        }
        store.saveTotals(instance, job.getId(), plan, totals);
        job.getExecutionContext().putLong(DIFFERENCES_KEY, differences);
        log.info("4/4 {} table(s) verified, {} difference(s)", totals.size(), differences);
        if (differences == 0 && job.getExecutionContext().containsKey(CatchupMarkTasklet.MARK_KEY)) {
            // The cutover re-checks only keys changed after the latest clean verification's mark: the rest of the
            // record is never read again.
            try (Connection target = resources.target().getConnection()) {
                target.setAutoCommit(true);
                ChangedKeys.prune(target, plan, job.getExecutionContext().getLong(CatchupMarkTasklet.MARK_KEY));
            }
        }
        contribution.setExitStatus(new ExitStatus(differences == 0 ? "EQUAL" : "DIFFERENCES"));
        return RepeatStatus.FINISHED;
    }
}
