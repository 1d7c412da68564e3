package io.livemigrate.cli;

import io.livemigrate.core.MigrationResources;
import io.livemigrate.core.MigrationTables;
import io.livemigrate.core.ResumableJobRunner;
import io.livemigrate.plan.MigrationPlan;
import io.livemigrate.verify.Difference;
import io.livemigrate.verify.NaiveComparison;
import io.livemigrate.verify.SchemaCheck;
import io.livemigrate.verify.VerifyCounts;
import io.livemigrate.verify.VerifyJobConfiguration;
import io.livemigrate.verify.VerifyReportStore;
import io.livemigrate.verify.VerifyRuns;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code verify}: checks that both sides have the same tables, columns and keys (exit 2 if not, nothing compared),
 * then runs the verify job: chunk digests computed server-side, differing chunks narrowed down to rows. Exit 0 when
 * equal, 3 when not, 1 when the job failed (run it again to resume from the last verified chunk).
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Verify that the target holds exactly the source's rows (exit 0 equal, 3 differences).")
class VerifyCommand implements Callable<Integer> {

    @Mixin
    PlanOptions options;

    @Mixin
    WorkersOptions workers;

    @Option(names = "--repair", description = "Re-copy the key ranges that hold differences from the source, then "
            + "verify them again.")
    boolean repair;

    @Option(names = "--chunk-rows", defaultValue = "0", paramLabel = "<rows>",
            description = "Source rows per digest query and checkpoint; 0 (default): one chunk per copy range.")
    int chunkRows;

    @Option(names = "--show", defaultValue = "20", paramLabel = "<n>",
            description = "Differing keys printed per table (up to 1,000 are stored; default ${DEFAULT-VALUE}).")
    int show;

    @Option(names = "--naive", description = "Benchmark baseline: stream every row of both sides into the JVM and "
            + "compare there; records nothing.")
    boolean naive;

    @Override
    public Integer call() throws Exception {
        MigrationPlan plan = options.loadPlan();
        io.livemigrate.scaleout.ScaleOutSettings remote = naive ? null : workers.resolve(options, plan);
        try (ConfigurableApplicationContext ctx = io.livemigrate.scaleout.ScaleOutContexts.manager(plan,
                options.repositoryLocation(), remote, VerifyJobConfiguration.class)) {
            MigrationResources resources = ctx.getBean(MigrationResources.class);
            List<String> problems = SchemaCheck.problems(resources, ctx.getBean(MigrationTables.class).ids());
            if (!problems.isEmpty()) {
                System.err.println("verify: the schemas differ, so nothing was compared:");
                problems.forEach(p -> System.err.println("  " + p));
                return ExitCodes.BAD_INPUT;
            }
            if (naive) {
                NaiveComparison.run(resources, ctx.getBean(MigrationTables.class).ids(), System.out);
                return ExitCodes.OK;
            }
            System.out.println("verify: plan '" + plan.name() + "', " + plan.copy().threads() + " thread(s), "
                    + (chunkRows > 0 ? chunkRows + " rows per chunk" : "one chunk per key range") + (repair ? ", repairing differences" : ""));
            long start = System.nanoTime();
            ResumableJobRunner.Outcome outcome = ctx.getBean(ResumableJobRunner.class).run(
                    ctx.getBean("verifyJob", Job.class),
                    VerifyRuns.next(ctx.getBean(JobRepository.class), plan.name(), repair, chunkRows));
            double seconds = (System.nanoTime() - start) / 1e9;
            // remote workers count their rows in their own processes: the report step sums this execution's partitions
            return summarize(outcome, ctx.getBean(VerifyReportStore.class), remote != null ? -1
                    : ctx.getBean("verifyProgress", AtomicLong.class).get(), seconds);
        }
    }

    private int summarize(ResumableJobRunner.Outcome outcome, VerifyReportStore store, long rows, double seconds) {
        JobExecution execution = outcome.execution();
        if (execution.getStatus() != BatchStatus.COMPLETED) {
            execution.getAllFailureExceptions().forEach(e -> System.err.println("verify: failed: "
                    + CopyCommand.rootMessage(e)));
            System.err.println("verify: run the same command again to resume from the last verified chunk");
            return ExitCodes.JOB_FAILED;
        }
        Map<String, VerifyCounts> totals = store.totals(execution.getId());
        if (rows < 0) {
            // not the totals: after a restart they include the rows of partitions verified before it
            rows = execution.getExecutionContext().getLong(VerifyJobConfiguration.ROWS_THIS_EXECUTION_KEY, 0L);
        }
        System.out.printf("%-40s %12s %12s %9s %9s %9s %8s %8s%n", "TABLE", "COMPARED", "MATCHING", "MISSING", "EXTRA",
                "DIFFERENT", "IN FLUX", "REPAIRED");
        long differences = 0;
        for (Map.Entry<String, VerifyCounts> t : totals.entrySet()) {
            VerifyCounts c = t.getValue();
            differences += c.differences();
            System.out.printf("%-40s %,12d %,12d %,9d %,9d %,9d %,8d %,8d%n", t.getKey(), c.compared(), c.matching(),
                    c.missing(), c.extra(), c.different(), c.inFlux(), c.repaired());
        }
        long inFlux = totals.values().stream().mapToLong(VerifyCounts::inFlux).sum();
        if (inFlux > 0) {
            System.out.printf("verify: %,d row(s) changed while they were compared (catch-up is running): counted in "
                    + "flux, not as differences; the cutover re-checks changed rows with writes fenced%n", inFlux);
        }
        for (Map.Entry<String, VerifyCounts> t : totals.entrySet()) {
            if (t.getValue().differences() > 0) {
                List<Difference> sample = store.differences(execution.getJobInstance().getInstanceId(), t.getKey(), show);
                System.out.println(t.getKey() + ": " + t.getValue().differences() + " difference(s)"
                        + (t.getValue().differences() > sample.size() ? ", first " + sample.size() : "") + ":");
                sample.forEach(d -> System.out.println("  key " + d.key() + ": " + d.describe()));
            }
        }
        System.out.printf("verify: %s%s: %,d rows per side in %.1f s (%,.0f rows/s per side), execution %d%n",
                differences == 0 ? "EQUAL" : "DIFFERENCES", outcome.resumed() ? " (resumed)" : "", rows, seconds,
                seconds > 0 ? rows / seconds : 0, execution.getId());
        return differences == 0 ? ExitCodes.OK : ExitCodes.DIFFERENCES;
    }
}
