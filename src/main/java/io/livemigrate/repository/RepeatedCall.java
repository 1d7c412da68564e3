package io.livemigrate.repository;

import org.springframework.aop.support.AopUtils;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;

import java.lang.reflect.Method;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One call to Spring Batch's job repository that {@link ReconnectingJobRepository} may run again after its connection
 * lost the H2 server. The failed attempt's transaction did not survive its session, unless the server committed it
 * and went away before replying; but the attempt may have changed Spring Batch's objects in memory before the commit
 * failed. Before a repeat, the call finds out which it was: committed, it is done (not done twice); not committed, what
 * it changed in memory is put back (or the repeat would fail, or leave a step listed twice).
 */
abstract sealed class RepeatedCall permits RepeatedCall.Plain, RepeatedCall.StepUpdate, RepeatedCall.StepCreation,
        RepeatedCall.JobExecutionCreation {

    private final JobRepository repository;
    private final Method method;
    private final Object[] arguments;
    private int attempts;

    private RepeatedCall(JobRepository repository, Method method, Object[] arguments) {
        this.repository = repository;
        this.method = method;
        this.arguments = arguments;
    }

    /** {@code method} with {@code args} on {@code repository}, Spring Batch's transactional one. */
    static RepeatedCall of(JobRepository repository, Method method, Object[] args) {
        String name = method.getName();
        if (name.equals("update") && args[0] instanceof StepExecution step) {
            return new StepUpdate(repository, method, args, step);
        }
        if (name.equals("createStepExecution")) {
            return new StepCreation(repository, method, args, (JobExecution) args[1]);
        }
        if (name.equals("createJobExecution")) {
            return new JobExecutionCreation(repository, method, args, (JobInstance) args[0]);
        }
        // Reads; execution contexts (written whole); a job execution (Spring Batch's update takes the stored version
        // and status first, so a repeat goes on from whatever the failed attempt left); a job instance (a repeat
        // after a lost reply fails, Spring Batch refusing to create one that exists: loud, and the command run again
        // finds it; taking the stored one instead could take that of another process starting the same job).
        return new Plain(repository, method, args);
    }

    String name() {
        return method.getName();
    }

    int attempts() {
        return attempts;
    }

    /** Runs the call, or, after a failed attempt that committed after all, returns its result. */
    Object attempt() throws Throwable {
        if (attempts++ > 0) {
            Committed committed = reconcile();
            if (committed != null) {
                return committed.result();
            }
        }
        return AopUtils.invokeJoinpointUsingReflection(repository, method, arguments);
    }

    /** After a failed attempt: its result when it committed; else null, with memory as before the attempt. */
    abstract Committed reconcile();

    JobRepository repository() {
        return repository;
    }

    record Committed(Object result) {
    }

    static final class Plain extends RepeatedCall {
        Plain(JobRepository repository, Method method, Object[] arguments) {
            super(repository, method, arguments);
        }

        @Override
        Committed reconcile() {
            return null;
        }
    }

    /**
     * Spring Batch raises the step's version in memory once its UPDATE has run, before the commit. The attempt
     * committed when the stored row has that version and the attempt's own last-updated time; otherwise the version
     * goes back, or the repeat would fail as a concurrent modification.
     */
    static final class StepUpdate extends RepeatedCall {
        private final StepExecution step;
        private final Integer version;

        StepUpdate(JobRepository repository, Method method, Object[] arguments, StepExecution step) {
            super(repository, method, arguments);
            this.step = step;
            this.version = step.getVersion();
        }

        @Override
        Committed reconcile() {
            StepExecution stored = repository().getStepExecution(step.getId());
            if (stored != null && version != null && Objects.equals(stored.getVersion(), version + 1)
                    && Objects.equals(stored.getLastUpdated(), step.getLastUpdated())) {
                step.setVersion(version + 1);
                return new Committed(null);
            }
            step.setVersion(version);
            return null;
        }
    }

    /**
     * Spring Batch adds the new step execution to its job execution once its rows are inserted, before the commit.
     * Stored, it is the result; not stored, it is taken back, or the job execution would list the step twice.
     */
    static final class StepCreation extends RepeatedCall {
        private final JobExecution job;
        private final Set<Long> known;

        StepCreation(JobRepository repository, Method method, Object[] arguments, JobExecution job) {
            super(repository, method, arguments);
            this.job = job;
            this.known = ids(job.getStepExecutions().stream().map(StepExecution::getId).toList());
        }

        @Override
        Committed reconcile() {
            for (StepExecution added : job.getStepExecutions()) {
                if (!known.contains(added.getId())) {
                    if (repository().getStepExecution(added.getId()) != null) {
                        return new Committed(added);
                    }
                    InMemoryEntities.forget(job, added);
                }
            }
            return null;
        }
    }

    /** As {@link StepCreation}, for the job execution Spring Batch adds to its job instance. */
    static final class JobExecutionCreation extends RepeatedCall {
        private final JobInstance instance;
        private final Set<Long> known;

        JobExecutionCreation(JobRepository repository, Method method, Object[] arguments, JobInstance instance) {
            super(repository, method, arguments);
            this.instance = instance;
            this.known = ids(instance.getJobExecutions().stream().map(JobExecution::getId).toList());
        }

        @Override
        Committed reconcile() {
            for (JobExecution added : instance.getJobExecutions()) {
                if (!known.contains(added.getId())) {
                    if (repository().getJobExecution(added.getId()) != null) {
                        return new Committed(added);
                    }
                    InMemoryEntities.forget(instance, added);
                }
            }
            return null;
        }
    }

    private static Set<Long> ids(List<Long> ids) {
        return Set.copyOf(ids);
    }
}
