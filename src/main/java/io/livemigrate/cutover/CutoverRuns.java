package io.livemigrate.cutover;

import io.livemigrate.core.ExecutionOwner;
import io.livemigrate.core.ResumableJobRunner;
import io.livemigrate.core.TrafficSide;
import io.livemigrate.plan.MigrationPlan;
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
 * Which cutover run a {@code cutover} (or {@code revert}) command does, so running it again is always right: a run
 * that got to its switch and did not finish (failed, or its process died) is restarted and finishes, unless it was
 * rolled back (its switch failed and was undone); a run whose process died before its switch, or whose own rollback
 * failed, is rolled back from its record and a new run starts; otherwise a new run.
 */
public final class CutoverRuns {

    private final JobRepository repository;
    private final JobOperator operator;
    private final ResumableJobRunner runner;
    private final CutoverSteps steps;

    CutoverRuns(JobRepository repository, JobOperator operator, ResumableJobRunner runner, CutoverSteps steps) {
        this.repository = repository;
        this.operator = operator;
        this.runner = runner;
        this.steps = steps;
    }

    /** @param note receives what was found and done before the run (a rollback of a crashed run) */
    public JobExecution run(Job job, MigrationPlan plan, boolean skipVerify, CutoverHold.Request hold,
                            java.util.function.Consumer<String> note) throws Exception {
        long run = latestRun(plan.name());
        Optional<JobExecution> last = run == 0 ? Optional.empty() : lastExecution(plan.name(), run);
        if (last.isPresent()) {
            JobExecution previous = last.get();
            boolean died = previous.getStatus().isRunning();
            if (died && ExecutionOwner.mayBeRunning(previous)) {
                return runner.run(job, parameters(plan.name(), run, skipVerify, hold)).execution(); // throws: already running
            }
            boolean unfinished = previous.getStatus() != BatchStatus.COMPLETED && !CutoverRecord.rolledBack(previous);
            // A rolled-back run must never be finished: its fence is lifted and its drain and sequences are stale.
            if (unfinished && CutoverRecord.switchStarted(previous)) {
                note.accept("run " + run + " stopped after its switch began: finishing it");
                return runner.run(job, parameters(plan.name(), run, skipVerify, hold)).execution();
            }
            // Before a new run reads what its fence must restore, whatever an earlier run left in force is lifted:
            // a run that died, or one whose own rollback failed (the fence would otherwise be taken as the normal).
            if (unfinished) {
                String done = CutoverRollback.rollBack(new CutoverRecord(previous, repository),
                        steps.fenceAndSwitch());
                if (died) {
                    operator.abandon(operator.recover(previous));
                }
                note.accept("run " + run + (died ? " died" : " failed") + " before its switch: rolled back (" + done + ")");
            }
        }
        return runner.run(job, parameters(plan.name(), run + 1, skipVerify, hold)).execution();
    }

    /** Whether the plan's latest run completed after the reverse plan's latest completed run: traffic is on its target. */
    public boolean isCurrent(MigrationPlan plan) {
        return completedAt(plan.name()) > completedAt(plan.reversed().name());
    }

    private long completedAt(String plan) {
        long run = latestRun(plan);
        return run == 0 ? 0 : lastExecution(plan, run).filter(e -> e.getStatus() == BatchStatus.COMPLETED)
                .map(e -> e.getEndTime().atZone(java.time.ZoneId.systemDefault()).toInstant().toEpochMilli()).orElse(0L);
    }

    private long latestRun(String plan) {
        return TrafficSide.latestRun(repository, plan);
    }

    private Optional<JobExecution> lastExecution(String plan, long run) {
        JobInstance instance = repository.getJobInstance(CutoverJobConfiguration.JOB_NAME, identifying(plan, run));
        return Optional.ofNullable(instance == null ? null : repository.getLastJobExecution(instance));
    }

    private static JobParameters identifying(String plan, long run) {
        return TrafficSide.identifying(plan, run);
    }

    private static JobParameters parameters(String plan, long run, boolean skipVerify, CutoverHold.Request hold) {
        return CutoverHold.parameters(new JobParametersBuilder(identifying(plan, run))
                .addString(PreconditionsTasklet.SKIP_VERIFY_PARAMETER, String.valueOf(skipVerify), false)
                .toJobParameters(), hold);
    }
}
