package io.livemigrate.rehearse;

import io.livemigrate.core.ResumableJobRunner;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.repository.JobRepository;

/**
 * Which rehearse job instance a command runs: the plan's latest when it has not completed (a killed or failed
 * rehearsal resumes where its partitions' last chunks ended, if given the same log), else a new one with the next
 * run number. The options are recorded as non-identifying parameters, for the history and for the processes that run
 * partitions: a remote worker has no command line, and reads log, follow, sample, rate and sessions from them
 * ({@link RehearseReplayConfiguration}).
 */
public final class RehearsalRuns {

    public static final String RUN_PARAMETER = "rehearse.run";

    private RehearsalRuns() {
    }

    public static JobParameters next(JobRepository repository, String plan, RehearseOptions options) {
        return new JobParametersBuilder(ResumableJobRunner.numberedRun(repository, RehearseJobConfiguration.JOB_NAME, plan, RUN_PARAMETER))
                .addString("log", options.log().toAbsolutePath().toString(), false)
                .addString("follow", String.valueOf(options.follow()), false)
                .addDouble("sample", options.sample(), false)
                .addLong("rate", options.rate(), false)
                .addLong("sessions", (long) options.sessions(), false)
                .addDouble("max-slowdown", options.regressions().maxSlowdown(), false)
                .addLong("min-gap-micros", options.regressions().minGapMicros(), false)
                .toJobParameters();
    }

    /**
     * Statements the partitions of {@code execution} replayed in it, wherever they ran (this process or remote
     * workers), as the job repository holds them; not those of partitions replayed before a restart.
     */
    public static long replayedBy(JobRepository repository, JobExecution execution) {
        JobExecution stored = repository.getJobExecution(execution.getId());
        return RehearsalWriter.replayedBy(stored != null ? stored : execution);
    }

    /** The plan's latest rehearse execution, of its latest run. */
    public static java.util.Optional<JobExecution> latest(JobRepository repository, String plan) {
        JobExecution latest = null;
        for (long run = 1; ; run++) {
            JobInstance instance = repository.getJobInstance(RehearseJobConfiguration.JOB_NAME, identifying(plan, run));
            if (instance == null) {
                return java.util.Optional.ofNullable(latest);
            }
            latest = repository.getLastJobExecution(instance);
        }
    }

    private static JobParameters identifying(String plan, long run) {
        return new JobParametersBuilder(ResumableJobRunner.parameters(plan)).addLong(RUN_PARAMETER, run)
                .toJobParameters();
    }
}
