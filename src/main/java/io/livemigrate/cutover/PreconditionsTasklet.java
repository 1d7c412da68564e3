package io.livemigrate.cutover;

import io.livemigrate.rehearse.RehearsalStore;
import io.livemigrate.catchup.CatchupJobConfiguration;
import io.livemigrate.catchup.CatchupTasklet;
import io.livemigrate.copy.CopyJobConfiguration;
import io.livemigrate.core.MigrationResources;
import io.livemigrate.core.ResumableJobRunner;
import io.livemigrate.engine.Finding;
import io.livemigrate.plan.MigrationPlan;
import io.livemigrate.schema.DdlPhase;
import io.livemigrate.schema.DeferredDdl;
import io.livemigrate.verify.VerifyRuns;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * Step 1: everything that must hold before writes are fenced; any failure refuses the cutover (exit 2) with nothing
 * touched. The copy completed (forward direction), this direction's catch-up is running with lag under
 * {@code max-lag} and the other direction's is not, the last verification found no differences (unless
 * {@code --skip-verify}, recorded; the reverse direction was never copied, so never verified), the unique constraints
 * and foreign keys the copy deferred exist on the target, and the target can serve as a change-capture source for the
 * way back.
 */
final class PreconditionsTasklet implements Tasklet {

    static final String SKIP_VERIFY_PARAMETER = "skip-verify";

    private final MigrationResources resources;
    private final JobRepository repository;
    private final RehearsalStore rehearsals;

    PreconditionsTasklet(MigrationResources resources, JobRepository repository, RehearsalStore rehearsals) {
        this.resources = resources;
        this.repository = repository;
        this.rehearsals = rehearsals;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        MigrationPlan plan = resources.plan();
        StepExecution step = chunkContext.getStepContext().getStepExecution();
        boolean skipVerify = "true".equals(step.getJobExecution().getJobParameters().getString(SKIP_VERIFY_PARAMETER));
        List<String> problems = new ArrayList<>();
        if (!plan.cutover().configured()) {
            problems.add("the plan has no cutover section (fence, switch, ...): add one, see docs/plan.md (cutover)");
            throw new CutoverRefusedException(String.join("; ", problems));
        }
        if (!plan.isReverse() && last(CopyJobConfiguration.JOB_NAME, plan.name()) .map(e -> e.getStatus() != BatchStatus.COMPLETED).orElse(true)) {
            problems.add("the copy has not completed: run copy");
        }
        checkCatchup(plan, problems);
        if (last(CatchupJobConfiguration.JOB_NAME, plan.reversed().name()).map(e -> e.getStatus().isRunning()).orElse(false)) {
            problems.add("the catch-up of the other direction (" + plan.reversed().name() + ") is running: stop it first");
        }
        if (skipVerify || plan.isReverse()) {
            step.getExecutionContext().putString("verify", skipVerify ? "skipped (--skip-verify)" : "not applicable (reverse)");
        }
        else {
            checkVerified(plan, problems);
        }
        if (plan.cutover().requireRehearsal() && !plan.isReverse()) {
            checkRehearsed(plan, problems);
        }
        try (Connection source = resources.source().getConnection();
             Connection target = resources.target().getConnection()) {
            problems.addAll(resources.engine().cutover().problems(source, target));
            List<DeferredDdl.Entry> unbuilt = DeferredDdl.pendingIfRecorded(target, plan.name(),
                    EnumSet.of(DdlPhase.CONSTRAINT, DdlPhase.FOREIGN_KEY));
            if (!unbuilt.isEmpty()) {
                problems.add(unbuilt.size() + " unique constraint(s) and foreign key(s) the copy deferred are not built on"
                        + " the target yet (first: " + unbuilt.get(0).phase().label() + " of " + unbuilt.get(0).table()
                        + "): catch-up builds them once it has applied past the copy's end; keep it running until its log"
                        + " says it built them");
            }
            for (Finding f : resources.engine().checkServer(target, plan.target(), true)) {
                if (f.isError()) {
                    problems.add("the target cannot feed the reverse stream: " + f);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new CutoverRefusedException(String.join("; ", problems));
        }
        return RepeatStatus.FINISHED;
    }

    private void checkCatchup(MigrationPlan plan, List<String> problems) {
        var catchup = last(CatchupJobConfiguration.JOB_NAME, plan.name());
        if (catchup.isEmpty() || !catchup.get().getStatus().isRunning()) {
            problems.add("the catch-up of " + plan.name() + " is not running: start 'catchup --plan " + plan.file()
                    + (plan.isReverse() ? " --reverse" : "") + "' and let it catch up");
            return;
        }
        JobInstance instance = catchup.get().getJobInstance();
        StepExecution step = repository.getLastStepExecution(instance, CatchupJobConfiguration.STEP_NAME);
        double lag = step == null ? -1 : step.getExecutionContext().getDouble(CatchupTasklet.LAG, -1.0);
        if (lag < 0 || lag * 1000 > plan.cutover().maxLag().toMillis()) {
            problems.add("catch-up lag is " + (lag < 0 ? "unknown yet" : lag + " s") + ", over max-lag "
                    + plan.cutover().maxLag().toMillis() + " ms: wait until it has caught up");
        }
    }

    private void checkVerified(MigrationPlan plan, List<String> problems) {
        java.util.Optional<JobExecution> latest = VerifyRuns.lastCompleted(repository, plan.name());
        if (latest.isEmpty() || !VerifyRuns.isClean(latest.get())) {
            problems.add(latest.isEmpty() ? "no completed verification: run verify (or pass --skip-verify)"
                    : "the last verification found differences: repair and verify again (or pass --skip-verify)");
        }
    }

    /**
     * {@code require-rehearsal: true}: a rehearsal that compared results at matched positions and found no difference
     * and no regression finished within {@code rehearsal-max-age}; the latest one must be that clean one.
     */
    private void checkRehearsed(MigrationPlan plan, List<String> problems) {
        java.util.Optional<io.livemigrate.repository.RehearsalHistory.Run> latest = rehearsals.latest(plan.name(), false);
        java.time.Duration maxAge = plan.cutover().rehearsalMaxAge();
        if (latest.isEmpty()) {
            problems.add("the plan requires a rehearsal (require-rehearsal) and none has run: run rehearse --log ...");
        }
        else if (!latest.get().clean()) {
            problems.add("the last rehearsal (execution " + latest.get().execution() + ") was not clean ("
                    + (latest.get().catchupRunning() ? latest.get().resultDiffs() + " result difference(s), "
                    + latest.get().errorDiffs() + " error difference(s), " + latest.get().regressions()
                    + " regression(s)" : "catch-up was not running, so no result was compared")
                    + "): fix and rehearse again");
        }
        else if (latest.get().finishedAt().isBefore(java.time.Instant.now().minus(maxAge))) {
            problems.add("the last clean rehearsal finished at " + latest.get().finishedAt() + ", over rehearsal-max-age ("
                    + maxAge.toHours() + "h) ago: rehearse again");
        }
    }

    private java.util.Optional<JobExecution> last(String job, String plan) {
        return ResumableJobRunner.lastExecution(repository, job, plan);
    }
}
