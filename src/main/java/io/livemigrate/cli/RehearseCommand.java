package io.livemigrate.cli;

import io.livemigrate.core.ResumableJobRunner;
import io.livemigrate.engine.Engines;
import io.livemigrate.plan.MigrationPlan;
import io.livemigrate.rehearse.Regressions;
import io.livemigrate.rehearse.RehearsalInputException;
import io.livemigrate.rehearse.RehearsalExecutions;
import io.livemigrate.rehearse.RehearsalRuns;
import io.livemigrate.rehearse.RehearsalStore;
import io.livemigrate.rehearse.RehearseJobConfiguration;
import io.livemigrate.rehearse.RehearseOptions;
import io.livemigrate.repository.RehearsalHistory;
import io.livemigrate.rehearse.StatementLog;
import io.livemigrate.scaleout.ScaleOutContexts;
import io.livemigrate.scaleout.ScaleOutSettings;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code rehearse}: replays the application's logged reads on both sides at matched positions while catch-up runs,
 * and compares results (count and canonical hash, errors by SQLSTATE) and latency per query shape. Exit 0 clean, 3
 * any result or error difference or regression, 2 bad input (nothing written), 1 the job failed (run it again to
 * resume).
 */
@Command(name = "rehearse", mixinStandardHelpOptions = true,
        description = "Replay the application's logged read statements on source and target at matched replication "
                + "positions; compare results and latency (exit 0 clean, 3 differences or regressions).")
class RehearseCommand implements Callable<Integer> {

    @Mixin
    PlanOptions options;

    @Mixin
    WorkersOptions workers;

    @Option(names = "--log", required = true, paramLabel = "<file or dir>",
            description = "The source's statement log: PostgreSQL csvlog/jsonlog, MySQL/MariaDB slow or general log.")
    Path log;

    @Option(names = "--follow", description = "Keep replaying the statements the server appends to the log (continuous "
            + "shadow reads while catch-up runs) until 'livemigrate stop --job rehearse' or Ctrl-C; then report.")
    boolean follow;

    @Option(names = "--sample", defaultValue = "100%", paramLabel = "<percent>",
            description = "Share of the replayable statements to replay, e.g. 10%% (default ${DEFAULT-VALUE}).")
    String sample;

    @Option(names = "--rate", defaultValue = "0", paramLabel = "<n/s>",
            description = "Statements per second on the source at most, e.g. 200/s (default: no limit beyond the "
                    + "plan's throttle, which 'livemigrate throttle' changes at runtime).")
    String rate;

    @Option(names = "--sessions", defaultValue = "8", paramLabel = "<n>",
            description = "Sessions replaying at once on each side (default ${DEFAULT-VALUE}).")
    int sessions;

    @Option(names = "--max-slowdown", defaultValue = "2", paramLabel = "<factor>",
            description = "A fingerprint regressed when the target's p95 is over this many times the source's "
                    + "(default ${DEFAULT-VALUE}) and at least --min-gap slower.")
    double maxSlowdown;

    @Option(names = "--min-gap", defaultValue = "1ms", paramLabel = "<duration>",
            description = "The smallest p95 difference that counts as a regression (default ${DEFAULT-VALUE}).")
    String minGap;

    @Option(names = "--show", defaultValue = "20", paramLabel = "<n>",
            description = "Fingerprints printed, worst first (all are stored; default ${DEFAULT-VALUE}).")
    int show;

    @Override
    public Integer call() throws Exception {
        MigrationPlan plan = options.loadPlan();
        RehearseOptions opts;
        StatementLog statementLog;
        try {
            opts = new RehearseOptions(log, follow, percent(sample), perSecond(rate), sessions,
                    new Regressions(maxSlowdown, CatchupCommand.parseDuration(minGap).toNanos() / 1000,
                            Regressions.DEFAULT_MIN_EXECUTIONS));
            // Before the job repository is opened: a bad log writes nothing.
            statementLog = StatementLog.open(log, Engines.of(plan.engineKind()));
        }
        catch (RehearsalInputException | IllegalArgumentException e) {
            System.err.println("rehearse: " + e.getMessage());
            return ExitCodes.BAD_INPUT;
        }
        ScaleOutSettings remote = workers.resolve(options, plan);
        String refused = remote == null ? null : refusedRemotely(opts);
        if (refused != null) {
            System.err.println("rehearse: " + refused);
            return ExitCodes.BAD_INPUT;
        }
        try (ConfigurableApplicationContext ctx = ScaleOutContexts.manager(plan, options.repositoryLocation(), remote,
                Map.of("rehearseOptions", opts), RehearseJobConfiguration.class)) {
            JobRepository repository = ctx.getBean(JobRepository.class);
            boolean catchup = ResumableJobRunner.lastExecution(repository, "catchup", plan.name())
                    .map(e -> e.getStatus().isRunning()).orElse(false);
            System.out.printf(Locale.ROOT, "rehearse: plan '%s', %s %s, %d session(s)%s, %s, sample %s%s%n",
                    plan.name(), statementLog.format().name(), log, sessions, remote != null ? " on remote workers"
                            : "", opts.rate() > 0 ? opts.rate() + " statements/s at most" : "no rate limit", sample,
                    follow ? ", following" : "");
            System.out.println(catchup ? "rehearse: catch-up is running: results are compared at matched positions"
                    : "rehearse: catch-up is not running: timing only, results are NOT compared "
                    + "(start 'livemigrate catchup' to compare them)");
            if (follow) {
                System.out.println("rehearse: following the log: replaying what the server appends until 'livemigrate"
                        + " stop --plan " + options.plan + " --job rehearse' or Ctrl-C, then reporting");
            }
            Job job = ctx.getBean("rehearseJob", Job.class);
            ResumableJobRunner runner = ctx.getBean(ResumableJobRunner.class);
            long start = System.nanoTime();
            ResumableJobRunner.Outcome outcome;
            boolean resumed;
            // Ctrl-C or SIGTERM ends a followed log as 'stop' does, here in-process: the partitions end their input
            // and the same execution goes on to its report.
            RehearsalExecutions executions = ctx.getBean(RehearsalExecutions.class);
            try (AutoCloseable signals = follow ? TerminationSignals.stopWith(executions.processStop()::request)
                    : () -> { }) {
                outcome = runner.run(job, RehearsalRuns.next(repository, plan.name(), opts));
                resumed = outcome.resumed();
                if (follow && outcome.execution().getStatus() == BatchStatus.STOPPED) {
                    // 'stop' ended the followed log. Run again in this process, with every execution's stop requested,
                    // the partitions read no log and hand out nothing: only the report step works
                    executions.processStop().request();
                    System.out.println("rehearse: stopped following (execution " + outcome.execution().getId()
                            + "); reporting what was replayed");
                    outcome = runner.run(job, RehearsalRuns.next(repository, plan.name(), opts));
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return report(outcome.execution(), resumed, ctx.getBean(RehearsalStore.class), repository, remote != null,
                    seconds);
        }
    }

    /** What remote workers cannot do (yet), said before anything is written; null when they can. */
    static String refusedRemotely(RehearseOptions opts) {
        if (opts.follow()) {
            return "--follow cannot run on remote workers (the followed log's stop and report are one process's); "
                    + "follow the log with --workers local, or replay it without --follow on remote workers";
        }
        if (opts.rate() > 0 && opts.rate() < opts.sessions()) {
            return "--rate " + opts.rate() + "/s is shared by " + opts.sessions() + " sessions on remote workers, "
                    + "less than one statement per second each: raise --rate or lower --sessions";
        }
        return null;
    }

    private int report(JobExecution execution, boolean resumed, RehearsalStore store, JobRepository repository,
                       boolean remote, double seconds) {
        // wherever the partitions ran: this process or remote workers
        long replayedNow = RehearsalRuns.replayedBy(repository, execution);
        if (execution.getStatus() == BatchStatus.STOPPED) {
            System.out.println("rehearse: stopped (execution " + execution.getId() + ") after " + replayedNow
                    + " replayed statement(s) in this run; run the same command again to go on from there");
            return ExitCodes.JOB_FAILED;
        }
        if (execution.getStatus() != BatchStatus.COMPLETED) {
            execution.getAllFailureExceptions().forEach(e -> System.err.println("rehearse: failed: "
                    + CopyCommand.rootMessage(e)));
            if (remote) {
                // a remote partition's exception stays in its worker; the repository holds its description
                failedPartitions(repository, execution).forEach(p -> System.err.println("rehearse: failed: " + p));
            }
            System.err.println("rehearse: run the same command again to resume after the last recorded statements");
            return ExitCodes.JOB_FAILED;
        }
        RehearsalHistory.Run run = store.run(execution.getId()).orElseThrow();
        List<RehearsalHistory.Row> rows = store.rows(execution.getId());
        System.out.printf("%-4s %-60s %7s %8s %6s %11s %11s %11s %11s%n", "#", "FINGERPRINT", "RUNS", "COMPARED",
                "DIFFS", "SRC p50", "SRC p95", "TGT p50", "TGT p95");
        int n = 0;
        for (RehearsalHistory.Row r : rows) {
            if (++n > show) {
                System.out.println("  ... " + (rows.size() - show) + " more fingerprint(s) in LIVEMIGRATE_REHEARSAL");
                break;
            }
            System.out.printf(Locale.ROOT, "%-4d %-60s %,7d %,8d %6d %11s %11s %11s %11s%s%n", n,
                    abbreviate(r.fingerprint(), 60), r.executions(), r.compared(), r.differences(),
                    micros(r.source().p50()), micros(r.source().p95()), micros(r.target().p50()),
                    micros(r.target().p95()), r.regression() ? "  REGRESSION" : "");
            if (r.differences() > 0) {
                System.out.println("     fingerprint: " + r.fingerprint());
                System.out.println("     statement:   " + abbreviate(r.sampleSql(), 300));
                System.out.println("     difference:  " + r.firstDiff());
            }
            if (r.regression()) {
                System.out.println("     fingerprint: " + r.fingerprint());
                System.out.println("     source plan:\n" + indent(r.sourcePlan()));
                System.out.println("     target plan:\n" + indent(r.targetPlan()));
            }
            if (r.compared() == 0 && r.notComparedReason() != null && r.differences() == 0) {
                System.out.println("     not compared: " + r.notComparedReason());
            }
        }
        List<RehearsalStore.Skip> skips = store.skips(execution.getJobInstance().getInstanceId());
        for (RehearsalStore.Skip s : skips) {
            System.out.printf("rehearse: %,d %s: %s (e.g. %s)%n", s.statements(), s.kind().equals("SKIPPED")
                    ? "skipped" : "not replayed", s.reason(), abbreviate(s.example(), 80));
        }
        boolean problems = run.resultDiffs() + run.errorDiffs() + run.regressions() > 0;
        System.out.printf(Locale.ROOT, "rehearse: %s%s: %,d statement(s), %,d replayed, %,d compared, %,d result "
                        + "difference(s), %,d error difference(s), %,d regression(s), %,d fingerprint(s); "
                        + "%,d replayed in this run in %.1f s, execution %d%n",
                problems ? "DIFFERENCES" : run.clean() ? "CLEAN" : "NO DIFFERENCES (results not compared)",
                resumed ? " (resumed)" : "", run.statements(), run.replayed(), run.compared(),
                run.resultDiffs(), run.errorDiffs(), run.regressions(), run.fingerprints(), replayedNow,
                seconds, execution.getId());
        return problems ? ExitCodes.DIFFERENCES : ExitCodes.OK;
    }

    /**
     * Why the partitions of {@code execution} failed, from the repository, where remote workers record it: the step
     * name and the first line of the exit description (the exception's class and message).
     */
    private static List<String> failedPartitions(JobRepository repository, JobExecution execution) {
        JobExecution stored = repository.getJobExecution(execution.getId());
        if (stored == null) {
            return List.of();
        }
        return stored.getStepExecutions().stream()
                .filter(s -> s.getStatus() == BatchStatus.FAILED && s.getStepName().contains(":"))
                .map(s -> s.getStepName() + ": " + s.getExitStatus().getExitDescription().lines().findFirst()
                        .orElse("(no description)"))
                .toList();
    }

    static double percent(String text) {
        String t = text.strip();
        try {
            return t.endsWith("%") ? Double.parseDouble(t.substring(0, t.length() - 1)) / 100 : Double.parseDouble(t);
        }
        catch (NumberFormatException e) {
            throw new IllegalArgumentException("--sample " + text + ": write a percentage such as 10%");
        }
    }

    static long perSecond(String text) {
        String t = text.strip();
        if (t.endsWith("/s")) {
            t = t.substring(0, t.length() - 2);
        }
        try {
            return Long.parseLong(t);
        }
        catch (NumberFormatException e) {
            throw new IllegalArgumentException("--rate " + text + ": write statements per second such as 200/s");
        }
    }

    private static String micros(long us) {
        return us >= 10_000 ? String.format(Locale.ROOT, "%.1f ms", us / 1000.0) : us + " us";
    }

    private static String abbreviate(String s, int max) {
        if (s == null) {
            return "";
        }
        String one = s.replace('\n', ' ');
        return one.length() <= max ? one : one.substring(0, max - 3) + "...";
    }

    private static String indent(String s) {
        return s == null ? "       (none)" : "       " + s.replace("\n", "\n       ");
    }
}
