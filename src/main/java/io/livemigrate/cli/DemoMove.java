package io.livemigrate.cli;

import io.livemigrate.demo.DemoApplication;
import io.livemigrate.demo.EmbeddedServer;
import io.livemigrate.repository.MigrationHistory;
import io.livemigrate.repository.MigrationStatus;
import io.livemigrate.repository.RepositoryLocation;
import io.livemigrate.repository.SwitchHistory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The demo's second half: the whole move with the application writing. A {@link DemoApplication} follows a config
 * file that the plan's {@code switch: command} rewrites; catch-up runs in a thread of its own (the cutover's step 9
 * stops it) while {@code cutover}, then {@code catchup --reverse} and {@code revert}, then catch-up and {@code cutover}
 * again, then {@code complete} run. Before the first cutover, with catch-up running, {@code rehearse} replays a sample
 * of the application's logged reads on both sides (the source logs its sessions from its start) and prints its
 * report; the plan requires that rehearsal to be clean ({@code require-rehearsal}). Each switch prints the writes
 * held; at the end every write the application committed must be on the side that ends as primary (the target), or
 * the demo fails.
 */
final class DemoMove {

    static final String APP_USER = "demo_app";
    static final String APP_PASSWORD = "demo-app";
    private static final Duration PATIENCE = Duration.ofSeconds(120);
    /** Transactions the application must commit on a side to show it writes there. */
    private static final int WRITES_TO_SEE = 20;
    /**
     * The rehearsal's options: a sample (one application session replays serially, each statement waiting for
     * catch-up to pass it), and a regression only where the target is a second slower: both servers share this
     * machine, so smaller timing differences are its noise, not the target's.
     */
    private static final String[] REHEARSAL = {"--sample", "10%", "--min-gap", "1s"};

    private final Path work;
    private final Path plan;
    private final String name;
    private final String repository;
    private final String sourceUrl;
    private final String targetUrl;
    private final Path config;
    private int switches;
    /** The source's statement log, until the first cutover's rehearsal has replayed it. */
    private Path rehearsalLog;

    DemoMove(Path work, Path plan, String name, String repository, String sourceUrl, String targetUrl) {
        this.work = work;
        this.plan = plan;
        this.name = name;
        this.repository = repository;
        this.sourceUrl = sourceUrl;
        this.targetUrl = targetUrl;
        this.config = work.resolve("app.conf");
    }

    /**
     * The plan's cutover section: the read-only fence on the application's own login, and a switch command that
     * atomically writes the new primary's URL into the application's config file.
     */
    String cutoverSection() throws Exception {
        Path script = work.resolve("switch.sh");
        Files.writeString(script, "# the operator's switch: point the application at the new primary (idempotent)\n"
                + "printf %s \"$TARGET_URL\" > '" + config + ".tmp' && mv '" + config + ".tmp' '" + config + "'\n");
        return "cutover:\n  fence: read-only\n  switch: command\n  command: \"sh '" + script + "'\"\n"
                + "  app-roles: [" + APP_USER + "]\n  max-pause: 10s\n  max-lag: 5s\n  require-rehearsal: true\n";
    }

    /**
     * @param users             creates the application's login on a server, given an admin connection to shop
     * @param existingCustomers the application updates customers 1 to this
     * @return the exit code: 0 when every step succeeded and every committed write is on the primary
     */
    int run(EmbeddedServer source, EmbeddedServer target, SqlConsumer users, int existingCustomers) throws Exception {
        try (Connection s = source.connect("shop"); Connection t = target.connect("shop")) {
            users.accept(s);
            users.accept(t);
        }
        writeConfig(sourceUrl);
        Path statementLog = source.startStatementLog(APP_USER);
        DemoCommand.step("the application starts writing: each transaction reads a customer, inserts a customer and "
                + "updates another's balance, as " + APP_USER + ", on the database " + config + " names (the switch "
                + "command rewrites it); the source logs its statements in " + statementLog);
        try (DemoApplication app = new DemoApplication(config, APP_USER, APP_PASSWORD, existingCustomers)) {
            app.awaitWrites(sourceUrl, WRITES_TO_SEE, PATIENCE);
            source.endStatementLogWindow();
            rehearsalLog = statementLog;
            boolean ok = switchOver(app, name, "cutover", false, targetUrl)
                    && switchOver(app, name + "-reverse", "revert", true, sourceUrl)
                    && switchOver(app, name, "cutover", false, targetUrl);
            ok = ok && DemoCommand.livemigrate(plan, repository, "complete") == ExitCodes.OK;
            app.close();
            return ok ? checkNothingLost(app, target) : ExitCodes.JOB_FAILED;
        }
    }

    /**
     * Starts the stream feeding {@code command}'s new primary in a thread, waits until it has caught up, runs the
     * switch and waits for the stream to stop (its step 9) and for the application to write to {@code newPrimary}.
     */
    private boolean switchOver(DemoApplication app, String streamPlan, String command, boolean reverse,
                               String newPrimary) throws Exception {
        String[] options = reverse ? new String[] {"--reverse"} : new String[0];
        AtomicInteger catchupExit = new AtomicInteger(-1);
        DemoCommand.step("livemigrate catchup --plan " + plan + (reverse ? " --reverse" : "") + "   (in the background)");
        Thread catchup = new Thread(() -> catchupExit.set(Main.execute(args("catchup", options))),
                "demo-catchup" + (reverse ? "-reverse" : ""));
        catchup.start();
        if (!awaitCaughtUp(streamPlan, catchup)) {
            System.out.println("demo: the catch-up of " + streamPlan + " did not catch up within " + PATIENCE.toSeconds()
                    + " s");
            stop(catchup, options);
            return false;
        }
        if (rehearsalLog != null && !rehearse()) {
            stop(catchup, options);
            return false;
        }
        int exit = DemoCommand.livemigrate(plan, repository, command);
        if (exit != ExitCodes.OK) {
            System.out.println("demo: " + command + " exited " + exit);
            stop(catchup, options);
            return false;
        }
        catchup.join(PATIENCE.toMillis());
        if (catchup.isAlive() || catchupExit.get() != ExitCodes.OK) {
            System.out.println("demo: the catch-up of " + streamPlan + " did not end after the switch (exit "
                    + catchupExit.get() + ")");
            stop(catchup, options);
            return false;
        }
        app.awaitWrites(newPrimary, WRITES_TO_SEE, PATIENCE);
        System.out.println(switchLine(++switches, command, newPrimary, app));
        return true;
    }

    /** Replays the application's logged reads at matched positions while catch-up runs; whether it was clean. */
    private boolean rehearse() {
        List<String> options = new java.util.ArrayList<>(List.of("--log", rehearsalLog.toString()));
        options.addAll(List.of(REHEARSAL));
        rehearsalLog = null;
        int exit = DemoCommand.livemigrate(plan, repository, "rehearse", options.toArray(String[]::new));
        if (exit != ExitCodes.OK) {
            System.out.println("demo: rehearse exited " + exit + ": the target does not answer the application's reads"
                    + " as the source does");
            return false;
        }
        return true;
    }

    /** A failed demo leaves no catch-up running in its JVM: {@code stop} waits for it to end. */
    private void stop(Thread catchup, String... options) throws InterruptedException {
        if (catchup.isAlive()) {
            Main.execute(args("stop", options));
            catchup.join(PATIENCE.toMillis());
        }
    }

    private String switchLine(int number, String command, String newPrimary, DemoApplication app) throws Exception {
        Optional<SwitchHistory.Switch> last = Optional.empty();
        try (MigrationHistory history = MigrationHistory.open(location()).orElseThrow()) {
            List<SwitchHistory.Switch> all = MigrationStatus.read(history, name).switches();
            last = all.isEmpty() ? last : Optional.of(all.get(all.size() - 1));
        }
        String held = last.map(SwitchHistory.Switch::pauseMillis).map(ms -> ms + " ms").orElse("?");
        String recheck = last.map(SwitchHistory.Switch::reverify).map(SwitchHistory.Reverify::summary).orElse("-");
        return String.format("  switch %d (%s): writes were held %s; re-check before the switch: %s; the application "
                        + "now writes to the %s (%,d transactions committed on the source, %,d on the target so far)",
                number, command, held, recheck, newPrimary.equals(targetUrl) ? "target" : "source",
                app.committedOn(sourceUrl), app.committedOn(targetUrl));
    }

    /** Catch-up of {@code streamPlan} running and reporting a lag under the plan's max-lag, as step 1 requires. */
    private boolean awaitCaughtUp(String streamPlan, Thread catchup) throws Exception {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (System.nanoTime() < deadline && catchup.isAlive()) {
            Optional<MigrationHistory> history = MigrationHistory.open(location());
            if (history.isPresent()) {
                try (MigrationHistory h = history.get()) {
                    MigrationStatus.Catchup c = MigrationStatus.read(h, streamPlan).catchup();
                    if (c != null && c.status().equals("STARTED") && c.lagSeconds() != null && c.lagSeconds() >= 0
                            && c.lagSeconds() < 2.0) {
                        return true;
                    }
                }
            }
            Thread.sleep(250);
        }
        return false;
    }

    /** Every transaction the application committed, on either side, is on the target, which ends as primary. */
    private int checkNothingLost(DemoApplication app, EmbeddedServer target) throws Exception {
        DemoCommand.step("checking every write the application committed against the primary (the target)");
        List<String> missing;
        try (Connection t = target.connect("shop")) {
            missing = app.missingOn(t, 10);
        }
        System.out.printf("  the application committed %,d transactions (%,d on the source, %,d on the target): %,d "
                        + "customers inserted, balances of %,d customers updated; %,d attempts were refused while "
                        + "writes were held or the switch moved it%n", app.committed(), app.committedOn(sourceUrl),
                app.committedOn(targetUrl), app.committed(), app.updatedCustomers(), app.refused());
        if (!missing.isEmpty()) {
            System.out.println("  FAILED: committed writes are not on the primary:");
            missing.forEach(m -> System.out.println("    " + m));
            return ExitCodes.JOB_FAILED;
        }
        System.out.println("  every committed write is on the primary");
        return ExitCodes.OK;
    }

    private String[] args(String command, String... options) {
        List<String> args = new java.util.ArrayList<>(List.of(command, "--plan", plan.toString(), "--repository",
                repository));
        args.addAll(List.of(options));
        return args.toArray(String[]::new);
    }

    private void writeConfig(String url) throws Exception {
        Path tmp = work.resolve("app.conf.tmp");
        Files.writeString(tmp, url);
        Files.move(tmp, config, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private RepositoryLocation location() {
        return RepositoryLocation.resolve(repository, Map.of(), work);
    }

    @FunctionalInterface
    interface SqlConsumer {
        void accept(Connection c) throws Exception;
    }
}
