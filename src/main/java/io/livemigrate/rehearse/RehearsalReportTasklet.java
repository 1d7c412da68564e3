package io.livemigrate.rehearse;

import io.livemigrate.core.MigrationResources;
import io.livemigrate.engine.RehearsalDialect;
import io.livemigrate.repository.Percentiles;
import io.livemigrate.repository.RehearsalHistory;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The last step, on the command's process: merges the partitions' rows per fingerprint from the job repository,
 * wherever the partitions ran (every partition counted once, restarts included),
 * computes each side's p50/p95/p99/max, flags regressions and captures both sides' plans for them, and stores one row
 * per fingerprint and one for the run. Ends with exit status DIFFERENCES (results, errors or regressions) or CLEAN.
 */
final class RehearsalReportTasklet implements Tasklet {

    static final String CLEAN_KEY = "rehearse.clean";

    private final RehearsalStore store;
    private final MigrationResources resources;
    private final Regressions regressionRule;
    private final JobRepository jobRepository;

    RehearsalReportTasklet(RehearsalStore store, MigrationResources resources, Regressions regressions,
                           JobRepository jobRepository) {
        this.store = store;
        this.resources = resources;
        this.regressionRule = regressions;
        this.jobRepository = jobRepository;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
        JobExecution job = chunkContext.getStepContext().getStepExecution().getJobExecution();
        long instance = job.getJobInstance().getInstanceId();
        RehearsalDialect dialect = resources.engine().rehearsal();
        List<FingerprintReport> reports = new ArrayList<>();
        long replayed = 0;
        long compared = 0;
        long resultDiffs = 0;
        long errorDiffs = 0;
        long regressions = 0;
        for (Map.Entry<String, FingerprintStats> e : store.merged(instance).entrySet()) {
            FingerprintStats s = e.getValue();
            Percentiles source = FingerprintStats.percentiles(s.source);
            Percentiles target = FingerprintStats.percentiles(s.target);
            boolean regression = regressionRule.isRegression(source, target, s.executions);
            String sourcePlan = null;
            String targetPlan = null;
            if (regression) {
                List<String> parameters = Texts.splitList(s.sampleParameters);
                List<String> settings = Texts.splitList(s.sampleSettings);
                sourcePlan = PlanCapture.explain(dialect, resources.plan().source(), s.sampleSql, parameters, settings,
                        s.sampleUser);
                targetPlan = PlanCapture.explain(dialect, resources.plan().target(), s.sampleSql, parameters, settings,
                        s.sampleUser);
                regressions++;
            }
            replayed += s.executions;
            compared += s.compared;
            resultDiffs += s.resultDiffs;
            errorDiffs += s.errorDiffs;
            reports.add(new FingerprintReport(s, source, target, regression, sourcePlan, targetPlan));
        }
        long skipped = 0;
        long statements = replayed;
        for (RehearsalStore.Skip skip : store.skips(instance)) {
            statements += skip.statements();
            if (skip.kind().equals(ReplayOutcome.Kind.SKIPPED.name())) {
                skipped += skip.statements();
            }
        }
        // Partitions may have run in other processes (remote workers): a comparison proves catch-up ran for them;
        // without one, whether it runs now says whether the rehearsal was timing only.
        boolean catchup = compared > 0 || ReplayShared.catchupRunning(resources, jobRepository);
        boolean clean = catchup && resultDiffs == 0 && errorDiffs == 0 && regressions == 0 && compared > 0;
        store.saveReport(instance, job.getId(), resources.plan().name(), reports,
                new RehearsalHistory.Run(job.getId(), statements, replayed, compared, skipped, reports.size(),
                        resultDiffs, errorDiffs, regressions, catchup, clean, Instant.now()));
        boolean differences = resultDiffs + errorDiffs + regressions > 0;
        job.getExecutionContext().putString(CLEAN_KEY, String.valueOf(clean));
        contribution.setExitStatus(new ExitStatus(differences ? "DIFFERENCES" : "CLEAN"));
        return RepeatStatus.FINISHED;
    }
}
