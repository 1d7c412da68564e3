package io.livemigrate.catchup;

import io.livemigrate.copy.BuildIndexesTasklet;
import io.livemigrate.copy.CapturePositionTasklet;
import io.livemigrate.copy.CopyJobConfiguration;
import io.livemigrate.core.ResumableJobRunner;
import io.livemigrate.engine.ChangePosition;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.repository.JobRepository;

/**
 * The positions the completed copy of a plan recorded in the job repository: where it started change capture
 * (docs/design.md, rule 1), catch-up's first start, and where it ended, past which the constraints it deferred can be
 * built.
 */
final class CopyPositions {

    private final JobRepository jobRepository;
    private final String plan;

    CopyPositions(JobRepository jobRepository, String plan) {
        this.jobRepository = jobRepository;
        this.plan = plan;
    }

    /** Where the copy started change capture: its job execution context (or its first step's), once it completed. */
    ChangePosition start() {
        return position(CapturePositionTasklet.POSITION_KEY, true);
    }

    /** Where the copy ended on the source's log; null when it recorded none (a copy made before it did). */
    ChangePosition end() {
        return position(BuildIndexesTasklet.COPY_END_KEY, false);
    }

    /**
     * A position the completed copy recorded under {@code key} in its job execution context (or its steps'); null
     * when it recorded none and {@code required} is false.
     */
    private ChangePosition position(String key, boolean required) {
        JobInstance copy = jobRepository.getJobInstance(CopyJobConfiguration.JOB_NAME,
                ResumableJobRunner.parameters(plan));
        JobExecution last = copy == null ? null : jobRepository.getLastJobExecution(copy);
        if (last == null || last.getStatus() != BatchStatus.COMPLETED) {
            throw new CatchupStoppedException("the copy of plan " + plan + " has not completed"
                    + (last == null ? "" : " (it is " + last.getStatus() + ")") + ": run copy until it completes,"
                    + " then catchup");
        }
        String position = last.getExecutionContext().getString(key, null);
        if (position == null) {
            var stepExecution = jobRepository.getLastStepExecution(copy,
                    required ? "capture-position" : "build-indexes");
            position = stepExecution == null ? null : stepExecution.getExecutionContext().getString(key, null);
        }
        if (position == null && required) {
            throw new CatchupStoppedException("the copy recorded no change-capture position; run copy again");
        }
        return position == null ? null : ChangePosition.parse(position);
    }
}
