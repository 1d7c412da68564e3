package io.livemigrate.core;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;

import java.util.Optional;

/**
 * Runs a job of a migration so that running the same command again does the right thing: the first run starts the
 * job instance for the plan; a failed or stopped run is restarted (Spring Batch re-runs only unfinished steps and
 * partitions); a run whose process died (kill -9) is marked failed first; a run whose process is alive is left alone.
 */
public final class ResumableJobRunner {

    /** The identifying job parameter: one job instance per job and plan. */
    public static final String PLAN_PARAMETER = "plan";

    private final JobOperator jobOperator;
    private final JobRepository jobRepository;

    public ResumableJobRunner(JobOperator jobOperator, JobRepository jobRepository) {
        this.jobOperator = jobOperator;
        this.jobRepository = jobRepository;
    }

    public static JobParameters parameters(String planName) {
        return new JobParametersBuilder().addString(PLAN_PARAMETER, planName).toJobParameters();
    }

    /**
     * The identifying parameters of the numbered run of a job that runs again and again for one plan (verify,
     * rehearse): the latest run when it did not complete (so running the command again resumes it), else a new one.
     */
    public static JobParameters numberedRun(JobRepository repository, String jobName, String planName,
                                            String runParameter) {
        long run = 0;
        while (repository.getJobInstance(jobName, numbered(planName, runParameter, run + 1)) != null) {
            run++;
        }
        if (run > 0) {
            JobExecution last = repository.getLastJobExecution(
                    repository.getJobInstance(jobName, numbered(planName, runParameter, run)));
            if (last == null || last.getStatus() == BatchStatus.COMPLETED || last.getStatus() == BatchStatus.ABANDONED) {
                run++;
            }
        }
        else {
            run = 1;
        }
        return numbered(planName, runParameter, run);
    }

    private static JobParameters numbered(String planName, String runParameter, long run) {
        return new JobParametersBuilder(parameters(planName)).addLong(runParameter, run).toJobParameters();
    }

    /** The last execution of this plan's job, if any. */
    public Optional<JobExecution> lastExecution(String jobName, String planName) {
        return lastExecution(jobRepository, jobName, planName);
    }

    /** As {@link #lastExecution(String, String)}, for code that holds only the repository (a step-scoped bean). */
    public static Optional<JobExecution> lastExecution(JobRepository repository, String jobName, String planName) {
        JobInstance instance = repository.getJobInstance(jobName, parameters(planName));
        return instance == null ? Optional.empty() : Optional.ofNullable(repository.getLastJobExecution(instance));
    }

    /**
     * Starts or resumes the job and waits for it.
     *
     * @return the execution that ran, or the already completed one (check {@link JobExecution#getId()} against a
     * previous call or compare its status)
     * @throws AlreadyRunningException when a live process is running it
     */
    public Outcome run(Job job, String planName) throws Exception {
        return run(job, parameters(planName));
    }

    /**
     * As {@link #run(Job, String)}, for the job instance these parameters identify (a job run more than once per
     * plan, such as verify, adds an identifying run number; non-identifying parameters may change on restart).
     */
    public Outcome run(Job job, JobParameters parameters) throws Exception {
        JobInstance instance = jobRepository.getJobInstance(job.getName(), parameters);
        Optional<JobExecution> last = instance == null ? Optional.empty()
                : Optional.ofNullable(jobRepository.getLastJobExecution(instance));
        if (last.isPresent()) {
            JobExecution previous = last.get();
            if (previous.getStatus() == BatchStatus.COMPLETED) {
                return new Outcome(previous, false, true);
            }
            if (previous.getStatus().isRunning()) {
                if (ExecutionOwner.mayBeRunning(previous)) {
                    throw new AlreadyRunningException(job.getName(), previous);
                }
                jobOperator.recover(previous);
            }
        }
        JobExecution execution = jobOperator.start(job, parameters);
        return new Outcome(execution, last.isPresent(), false);
    }

    /**
     * @param execution       the execution that ran (or the completed one)
     * @param resumed         an earlier execution existed and this one continued it
     * @param alreadyComplete nothing ran: the job had completed before
     */
    public record Outcome(JobExecution execution, boolean resumed, boolean alreadyComplete) {
    }

    /** The job is being run by a live process. */
    public static final class AlreadyRunningException extends IllegalStateException {
        AlreadyRunningException(String jobName, JobExecution running) {
            super("the " + jobName + " job of this plan is already running (execution " + running.getId()
                    + ", host " + running.getExecutionContext().getString(OwnerListener.HOST_KEY, "?") + ", pid "
                    + running.getExecutionContext().get(OwnerListener.PID_KEY) + "); wait for it or stop that process");
        }
    }
}
