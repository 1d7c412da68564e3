package io.livemigrate.verify;

import io.livemigrate.core.ResumableJobRunner;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.repository.JobRepository;

import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Predicate;

/**
 * Which verify job instance a {@code verify} command runs: the plan's latest one when it has not completed (so a
 * killed or failed verification resumes from its last verified chunk), else a new one with the next run number,
 * since verifying again later is the point.
 */
public final class VerifyRuns {

    private VerifyRuns() {
    }

    public static JobParameters next(JobRepository repository, String plan, boolean repair, int chunkRows) {
        return new JobParametersBuilder(ResumableJobRunner.numberedRun(repository, VerifyJobConfiguration.JOB_NAME, plan, VerifyJobConfiguration.RUN_PARAMETER))
                .addString(VerifyJobConfiguration.REPAIR_PARAMETER, String.valueOf(repair), false)
                .addLong(VerifyJobConfiguration.CHUNK_ROWS_PARAMETER, (long) chunkRows, false)
                .toJobParameters();
    }

    /** The plan's latest verification that completed, whatever it found. */
    public static Optional<JobExecution> lastCompleted(JobRepository repository, String plan) {
        return latest(repository, plan, e -> e.getStatus() == BatchStatus.COMPLETED);
    }

    /** The plan's latest verification that completed and found no differences. */
    public static Optional<JobExecution> lastClean(JobRepository repository, String plan) {
        return latest(repository, plan, e -> e.getStatus() == BatchStatus.COMPLETED && isClean(e));
    }

    public static boolean isClean(JobExecution verification) {
        return verification.getExecutionContext().getLong(VerifyReportTasklet.DIFFERENCES_KEY, -1L) == 0;
    }

    /**
     * The catch-up mark the verification covers: the highest catch-up batch committed on the target when it started
     * (see {@code ChangedKeys}); every key changed in a later batch changed after it began. Empty when it recorded none.
     */
    public static OptionalLong catchupMark(JobExecution verification) {
        var ctx = verification.getExecutionContext();
        return ctx.containsKey(CatchupMarkTasklet.MARK_KEY) ? OptionalLong.of(ctx.getLong(CatchupMarkTasklet.MARK_KEY))
                : OptionalLong.empty();
    }

    private static Optional<JobExecution> latest(JobRepository repository, String plan, Predicate<JobExecution> which) {
        JobExecution latest = null;
        for (long run = 1; ; run++) {
            JobInstance instance = repository.getJobInstance(VerifyJobConfiguration.JOB_NAME, identifying(plan, run));
            if (instance == null) {
                return Optional.ofNullable(latest);
            }
            JobExecution e = repository.getLastJobExecution(instance);
            if (e != null && which.test(e)) {
                latest = e;
            }
        }
    }

    private static JobParameters identifying(String plan, long run) {
        return new JobParametersBuilder(ResumableJobRunner.parameters(plan))
                .addLong(VerifyJobConfiguration.RUN_PARAMETER, run).toJobParameters();
    }
}
