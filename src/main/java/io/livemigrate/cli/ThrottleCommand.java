package io.livemigrate.cli;

import io.livemigrate.core.OwnerListener;
import io.livemigrate.ops.RepositoryDataSource;
import io.livemigrate.ops.ThrottleSettings;
import io.livemigrate.ops.ThrottleStore;
import io.livemigrate.plan.MigrationPlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code throttle}: changes how fast the plan's running copy may go, gh-ost style, while it runs. The change is
 * recorded in the job repository (who, when, what) and running copies pick it up within about a second. Without
 * options it shows the setting in force and the last changes.
 */
@Command(name = "throttle", mixinStandardHelpOptions = true,
        description = "Limit, pause or resume the plan's running copy (picked up within a second; every change is "
                + "recorded). Without options: show the current setting and recent changes.")
class ThrottleCommand implements Callable<Integer> {

    @Mixin
    PlanOptions options;

    @Option(names = "--rows-per-second", paramLabel = "<n|unlimited>",
            description = "Copy at most n rows per second across all threads, or 'unlimited'.")
    String rowsPerSecond;

    @Option(names = "--pause", description = "Pause the copy (each thread stops before its next slice).")
    boolean pause;

    @Option(names = "--resume", description = "Resume a paused copy.")
    boolean resume;

    @Option(names = "--lag-query", paramLabel = "<sql>",
            description = "Pause while this query, run on the source once a second, returns more than --max-lag "
                    + "(e.g. replica lag in seconds). Needs --max-lag.")
    String lagQuery;

    @Option(names = "--max-lag", paramLabel = "<number>", description = "The lag rule's threshold.")
    Double maxLag;

    @Option(names = "--no-lag-rule", description = "Remove the lag rule.")
    boolean noLagRule;

    @Option(names = "--by", paramLabel = "<who>", description = "Who makes the change, for the record. "
            + "Default: user@host.")
    String by;

    @Override
    public Integer call() throws Exception {
        MigrationPlan plan = options.loadPlan();
        ThrottleStore store = new ThrottleStore(RepositoryDataSource.open(options.repositoryLocation()));
        ThrottleSettings current = store.current(plan.name()).map(ThrottleStore.Change::settings)
                .orElse(ThrottleSettings.UNLIMITED);
        List<String> what = new ArrayList<>();
        ThrottleSettings changed = apply(current, what);
        if (what.isEmpty()) {
            show(plan.name(), current, store);
            return ExitCodes.OK;
        }
        ThrottleStore.Change change = store.record(plan.name(), changed, who(), String.join(", ", what));
        System.out.println("throttle: plan '" + plan.name() + "' is now " + changed.describe() + " (change "
                + change.number() + " by " + change.by() + "); running copies pick it up within a second");
        return ExitCodes.OK;
    }

    private ThrottleSettings apply(ThrottleSettings s, List<String> what) {
        if (pause && resume) {
            throw new ErrorReporter.UsageException("throttle: give --pause or --resume, not both");
        }
        if (noLagRule && (lagQuery != null || maxLag != null)) {
            throw new ErrorReporter.UsageException("throttle: --no-lag-rule cannot be combined with --lag-query/--max-lag");
        }
        if ((lagQuery == null) != (maxLag == null)) {
            throw new ErrorReporter.UsageException("throttle: a lag rule needs both --lag-query and --max-lag");
        }
        if (rowsPerSecond != null) {
            long rows = parseRows(rowsPerSecond);
            s = s.withRowsPerSecond(rows);
            what.add("rows-per-second " + (rows == 0 ? "unlimited" : rows));
        }
        if (pause || resume) {
            s = s.withPaused(pause);
            what.add(pause ? "pause" : "resume");
        }
        if (lagQuery != null) {
            if (lagQuery.isBlank() || maxLag < 0 || maxLag.isNaN() || maxLag.isInfinite()) {
                throw new ErrorReporter.UsageException("throttle: the lag rule needs a query and a --max-lag of 0 or "
                        + "more");
            }
            s = s.withLagRule(lagQuery.strip(), maxLag);
            what.add("lag rule (" + lagQuery.strip() + ") > " + maxLag);
        }
        if (noLagRule) {
            s = s.withLagRule(null, null);
            what.add("no lag rule");
        }
        return s;
    }

    static long parseRows(String text) {
        if (text.trim().equalsIgnoreCase("unlimited")) {
            return 0;
        }
        try {
            long rows = Long.parseLong(text.trim().replace("_", "").replace(",", ""));
            if (rows > 0) {
                return rows;
            }
        }
        catch (NumberFormatException e) {
            // reported below
        }
        throw new ErrorReporter.UsageException("throttle: --rows-per-second '" + text + "' is not a positive whole "
                + "number or 'unlimited' (use --pause to stop the copy)");
    }

    private String who() {
        return by != null && !by.isBlank() ? by : System.getProperty("user.name", "unknown") + "@"
                + OwnerListener.hostName();
    }

    private static void show(String plan, ThrottleSettings current, ThrottleStore store) throws Exception {
        System.out.println("throttle: plan '" + plan + "' is " + current.describe());
        List<ThrottleStore.Change> history = store.history(plan, 10);
        if (!history.isEmpty()) {
            System.out.println();
            System.out.printf(Locale.ROOT, "%-6s %-24s %-24s %s%n", "CHANGE", "AT", "BY", "WHAT");
            for (ThrottleStore.Change c : history) {
                System.out.printf(Locale.ROOT, "%-6d %-24s %-24s %s%n", c.number(), c.at().toString(), c.by(), c.what());
            }
        }
    }
}
