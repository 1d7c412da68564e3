package io.livemigrate.core;

import io.livemigrate.plan.MigrationPlan;
import io.livemigrate.repository.PrimarySide;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.repository.JobRepository;

import java.time.LocalDateTime;
import java.util.Optional;

/**
 * Which side of a plan the application writes to, as the cutover runs of the plan and of its reverse recorded it in
 * the job repository: the original source until a cutover switches traffic to the target, then the target until a
 * revert (the reverse plan's cutover) switches it back, and so on. A run whose switch was rolled back switched
 * nothing. Catch-up may only stream from the side the application writes to: the other way it would carry rows back
 * onto the live primary.
 */
public final class TrafficSide {

    public static final String CUTOVER_JOB = PrimarySide.CUTOVER_JOB;
    /** The cutover job's identifying run number (one job instance per cutover run of a plan). */
    public static final String RUN_PARAMETER = PrimarySide.RUN_PARAMETER;
    /** Cutover context keys: the switch happened; the run was rolled back (undoing a failed switch). */
    public static final String SWITCH_DONE = PrimarySide.SWITCH_DONE;
    public static final String ROLLED_BACK = PrimarySide.ROLLED_BACK;

    private TrafficSide() {
    }

    /** Whether the application writes to {@code plan}'s source now. */
    public static boolean writesToSource(JobRepository repository, MigrationPlan plan) {
        return PrimarySide.writesToSource(lastSwitch(repository, plan.name()),
                lastSwitch(repository, plan.reversed().name()), plan.isReverse());
    }

    /** When the latest run of {@code plan}'s cutover that switched (and was not rolled back) started. */
    static Optional<LocalDateTime> lastSwitch(JobRepository repository, String plan) {
        for (long run = latestRun(repository, plan); run > 0; run--) {
            JobInstance instance = repository.getJobInstance(CUTOVER_JOB, identifying(plan, run));
            JobExecution last = instance == null ? null : repository.getLastJobExecution(instance);
            if (last != null && last.getExecutionContext().containsKey(SWITCH_DONE)
                    && !last.getExecutionContext().containsKey(ROLLED_BACK)) {
                return Optional.ofNullable(last.getStartTime()).or(() -> Optional.ofNullable(last.getCreateTime()));
            }
        }
        return Optional.empty();
    }

    /** The highest cutover run number of {@code plan} (0: none). */
    public static long latestRun(JobRepository repository, String plan) {
        long run = 0;
        while (repository.getJobInstance(CUTOVER_JOB, identifying(plan, run + 1)) != null) {
            run++;
        }
        return run;
    }

    public static JobParameters identifying(String plan, long run) {
        return new JobParametersBuilder(ResumableJobRunner.parameters(plan)).addLong(RUN_PARAMETER, run)
                .toJobParameters();
    }
}
