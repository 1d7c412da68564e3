package io.livemigrate.cli;

import io.livemigrate.catchup.CatchupControl;
import io.livemigrate.catchup.CatchupJobConfiguration;
import io.livemigrate.catchup.CatchupProgress;
import io.livemigrate.core.JobContexts;
import io.livemigrate.core.MigrationResources;
import io.livemigrate.core.MigrationTables;
import io.livemigrate.core.ResumableJobRunner;
import io.livemigrate.core.TrafficSide;
import io.livemigrate.plan.MigrationPlan;
import io.livemigrate.verify.ContinuousReverification;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code catchup}: streams the source's changes to the target from where the copy (or the last catch-up) left off,
 * until {@code livemigrate stop}, SIGTERM, or with {@code --until-caught-up} until lag is under {@code --max-lag}.
 * Every way of ending finishes the current target transaction; the next {@code catchup} continues.
 */
@Command(name = "catchup", mixinStandardHelpOptions = true,
        description = "Apply the source's changes to the target continuously (stop with 'livemigrate stop' or SIGTERM).")
class CatchupCommand implements Callable<Integer> {

    @Mixin
    PlanOptions options;

    @Option(names = "--until-caught-up", description = "Exit 0 once lag is under --max-lag.")
    boolean untilCaughtUp;

    @Option(names = "--max-lag", paramLabel = "<duration>", defaultValue = "1s",
            description = "Lag --until-caught-up waits for: 500ms, 1s, 2m (0: everything committed on the source "
                    + "before the end is applied). Default: ${DEFAULT-VALUE}.")
    String maxLag;

    @Option(names = "--no-reverify", description = "Do not re-check the rows catch-up changes while it runs (it reads "
            + "them on both sides); the cutover's step 4 then has all of them to check with writes held.")
    boolean noReverify;

    @Override
    public Integer call() throws Exception {
        Duration lag = parseDuration(maxLag);
        MigrationPlan plan = options.loadPlan();
        System.out.println("catchup: plan '" + plan.name() + "'" + (untilCaughtUp ? ", until lag < " + maxLag : ""));
        try (ConfigurableApplicationContext ctx = JobContexts.open(plan, options.repositoryLocation(),
                CatchupJobConfiguration.class)) {
            String refusal = wrongDirection(ctx.getBean(JobRepository.class), plan);
            if (refusal != null) {
                System.err.println("catchup: refused: " + refusal);
                return ExitCodes.BAD_INPUT;
            }
            CatchupControl control = ctx.getBean(CatchupControl.class);
            control.untilCaughtUp(untilCaughtUp, lag);
            CatchupProgress progress = ctx.getBean(CatchupProgress.class);
            Thread printer = new Thread(() -> printLoop(progress, System.out), "catchup-progress");
            printer.setDaemon(true);
            ResumableJobRunner.Outcome outcome;
            control.jobStarted();
            printer.start();
            try (AutoCloseable signals = TerminationSignals.stopWith(control::requestStop);
                 AutoCloseable reverify = continuousReverification(ctx, plan, !noReverify)) {
                outcome = ctx.getBean(ResumableJobRunner.class).run(ctx.getBean("catchupJob", Job.class), plan.name());
            }
            finally {
                printer.interrupt();
                control.jobEnded();
            }
            System.out.println(line(progress, 0, 0));
            progress.runSummary().ifPresent(s -> System.out.println("catchup: this run: " + s));
            return summarize(outcome.execution(), control);
        }
    }

    /**
     * Re-checks the rows catch-up changes while it runs, so the cutover's fenced re-check finds only the last
     * moments' keys; off with {@code --no-reverify} or when the plan turns re-verification off
     * ({@code reverify-budget: 0}).
     */
    private static AutoCloseable continuousReverification(ConfigurableApplicationContext ctx, MigrationPlan plan,
                                                          boolean wanted) {
        if (!wanted || plan.cutover().reverifyBudget().isZero() && !plan.cutover().reverifyFull()) {
            return () -> { };
        }
        return ContinuousReverification.start(ctx.getBean(MigrationResources.class),
                ctx.getBean(MigrationTables.class).ids());
    }

    /**
     * Why catch-up of {@code plan} must not run now, or null: it may only read from the side the application writes
     * to. Otherwise it would carry rows back onto the live primary: the reverse stream before any switch (or after a
     * rolled-back cutover), the forward stream once the reverse one carries the application's writes.
     */
    static String wrongDirection(JobRepository repository, MigrationPlan plan) {
        if (TrafficSide.writesToSource(repository, plan)) {
            return null;
        }
        MigrationPlan forward = plan.isReverse() ? plan.reversed() : plan;
        return plan.isReverse()
                ? "catchup --reverse streams the target's changes back to the source, which is only right once a cutover"
                + " has switched the application to the target, and no cutover of plan '" + forward.name() + "' has"
                + " (a rolled-back cutover leaves the source primary): run cutover first, or catch-up without --reverse"
                : "a cutover switched the application to the target " + plan.target().safeUrl() + ": the forward "
                + "stream would carry the reverse stream's writes back. Run catchup --reverse (the way back), or revert"
                + " first";
    }

    private static int summarize(JobExecution execution, CatchupControl control) {
        if (execution.getStatus() == BatchStatus.STOPPED) {
            System.out.println(control.isCaughtUp() ? "catchup: caught up (execution " + execution.getId() + ")"
                    : "catchup: stopped (execution " + execution.getId() + "); run catchup again to continue");
            return ExitCodes.OK;
        }
        execution.getAllFailureExceptions().forEach(e -> System.err.println("catchup: stopped with an error: "
                + CopyCommand.rootMessage(e)));
        System.err.println("catchup: " + execution.getStatus() + "; fix what the message says and run catchup again "
                + "(it resumes from the position the target committed)");
        return ExitCodes.JOB_FAILED;
    }

    private static void printLoop(CatchupProgress progress, PrintStream out) {
        long interval = System.console() != null ? 1000 : 5000;
        long lastEvents = progress.events();
        long lastAt = System.nanoTime();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(interval);
            }
            catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            long events = progress.events();
            out.println(line(progress, events - lastEvents, (now - lastAt) / 1e9));
            lastEvents = events;
            lastAt = now;
        }
    }

    static String line(CatchupProgress p, long events, double seconds) {
        String lag = p.lagSeconds() < 0 ? "-" : String.format(Locale.ROOT, "%.1f s", p.lagSeconds());
        return String.format(Locale.ROOT, "  catchup: lag %s, %,.0f events/s, %,d bytes behind, %,d events in %,d "
                        + "transactions, at %s", lag, seconds > 0 ? events / seconds : 0.0, Math.max(0, p.bytesBehind()),
                p.events(), p.transactions(), p.position() == null ? "-" : p.position());
    }

    static Duration parseDuration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            if (t.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
            }
            if (t.endsWith("m")) {
                return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)) * 60);
            }
            return Duration.ofMillis(Math.round(Double.parseDouble(t) * 1000));
        }
        catch (NumberFormatException e) {
            throw new picocli.CommandLine.TypeConversionException("not a duration: " + text + " (e.g. 500ms, 1s, 2m)");
        }
    }
}
