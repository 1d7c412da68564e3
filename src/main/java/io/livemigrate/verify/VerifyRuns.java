package io.livemigrate.verify;

import io.livemigrate.core.ResumableJobRunner;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.repository.JobRepository;

/**
 * Which verify job instance a {@code verify} command runs: the plan's latest one when it has not completed (so a
 * killed or failed verification resumes from its last verified chunk), else a new one with the next run number,
 * since verifying again later is the point.
 */
public final class VerifyRuns {

    private VerifyRuns() {
    }

    public static JobParameters next(JobRepository repository, String plan, boolean repair, int chunkRows) {
        long run = 0;
        while (repository.getJobInstance(VerifyJobConfiguration.JOB_NAME, identifying(plan, run + 1)) != null) {
            run++;
        }
        if (run > 0) {
            JobInstance latest = repository.getJobInstance(VerifyJobConfiguration.JOB_NAME, identifying(plan, run));
            JobExecution last = repository.getLastJobExecution(latest);
            if (last == null || last.getStatus() == BatchStatus.COMPLETED || last.getStatus() == BatchStatus.ABANDONED) {
                run++;
            }
        }
        else {
            run = 1;
        }
        return new JobParametersBuilder(identifying(plan, run))
                .addString(VerifyJobConfiguration.REPAIR_PARAMETER, String.valueOf(repair), false)
                .addLong(VerifyJobConfiguration.CHUNK_ROWS_PARAMETER, (long) chunkRows, false)
                .toJobParameters();
    }

    private static JobParameters identifying(String plan, long run) {
        return new JobParametersBuilder(ResumableJobRunner.parameters(plan))
                .addLong(VerifyJobConfiguration.RUN_PARAMETER, run).toJobParameters();
    }
}
