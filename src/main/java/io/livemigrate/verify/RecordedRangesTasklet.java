package io.livemigrate.verify;

import io.livemigrate.copy.CopyJobConfiguration;
import io.livemigrate.core.ResumableJobRunner;
import io.livemigrate.keyrange.SplitRangesTasklet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * Step 1: verify over the same key ranges as the copy. Takes the ranges the plan's copy job recorded (its job
 * execution context) into this job's context under the same key, so the copy's {@link SplitRangesTasklet} that
 * runs next keeps them, or, when no copy is recorded here, splits the tables afresh from sampled keys.
 */
class RecordedRangesTasklet implements Tasklet {

    private static final Logger log = LoggerFactory.getLogger(RecordedRangesTasklet.class);

    private final JobRepository jobRepository;
    private final String plan;

    RecordedRangesTasklet(JobRepository jobRepository, String plan) {
        this.jobRepository = jobRepository;
        this.plan = plan;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
        ExecutionContext jobContext = chunkContext.getStepContext().getStepExecution().getJobExecution()
                .getExecutionContext();
        if (jobContext.containsKey(SplitRangesTasklet.RANGES_KEY)) {
            return RepeatStatus.FINISHED;
        }
        JobInstance copy = jobRepository.getJobInstance(CopyJobConfiguration.JOB_NAME,
                ResumableJobRunner.parameters(plan));
        JobExecution last = copy == null ? null : jobRepository.getLastJobExecution(copy);
        if (last != null && last.getExecutionContext().containsKey(SplitRangesTasklet.RANGES_KEY)) {
            jobContext.putString(SplitRangesTasklet.RANGES_KEY,
                    last.getExecutionContext().getString(SplitRangesTasklet.RANGES_KEY));
            log.info("1/4 verifying over the key ranges of copy execution {}", last.getId());
        }
        else {
            log.info("1/4 no copy recorded for plan {}: splitting the tables into key ranges afresh", plan);
        }
        return RepeatStatus.FINISHED;
    }
}
