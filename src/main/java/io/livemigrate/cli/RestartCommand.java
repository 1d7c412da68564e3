package io.livemigrate.cli;

import io.livemigrate.plan.MigrationPlan;
import io.livemigrate.repository.MigrationHistory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code restart}: runs the plan's last failed job again, exactly as running its command again would: Spring Batch
 * restarts the job instance, so only failed or unfinished partitions run, from their last committed chunk. A job
 * whose process died (kill -9) counts as failed; one stopped on purpose ({@code stop}) does not.
 */
@Command(name = "restart", mixinStandardHelpOptions = true,
        description = "Run the plan's last failed job again (only failed or unfinished partitions run).")
class RestartCommand implements Callable<Integer> {

    /** Statuses of a job that did not finish and was not stopped on purpose (STARTED: its process may have died). */
    private static final Set<String> UNFINISHED = Set.of("FAILED", "UNKNOWN", "STARTING", "STARTED", "STOPPING");

    @Mixin
    PlanOptions options;

    @Override
    public Integer call() throws Exception {
        MigrationPlan plan = options.loadPlan();
        Optional<MigrationHistory.JobRun> failed = lastFailed(plan.name());
        if (failed.isEmpty()) {
            System.out.println("restart: no failed job for plan '" + plan.name() + "'; nothing to restart");
            return ExitCodes.OK;
        }
        MigrationHistory.JobRun run = failed.get();
        if (!new CommandLine(new Main()).getSubcommands().containsKey(run.jobName())) {
            throw new ErrorReporter.UsageException("restart: the last failed job is '" + run.jobName()
                    + "', which has no command of that name; run it the way it was started");
        }
        System.out.println("restart: " + run.jobName() + " execution " + run.executionId() + " is " + run.status()
                + "; running '" + run.jobName() + "' again (only unfinished partitions run)");
        List<String> args = new ArrayList<>(List.of(run.jobName(), "--plan", options.plan.toString()));
        if (options.repository != null) {
            args.addAll(List.of("--repository", options.repository));
        }
        return Main.execute(args.toArray(String[]::new));
    }

    /** The most recent job of the plan whose latest execution is unfinished. */
    private Optional<MigrationHistory.JobRun> lastFailed(String plan) throws Exception {
        Optional<MigrationHistory> history = MigrationHistory.open(options.repositoryLocation());
        if (history.isEmpty()) {
            return Optional.empty();
        }
        Map<String, MigrationHistory.JobRun> latestPerJob = new LinkedHashMap<>();
        try (MigrationHistory h = history.get()) {
            h.executions(plan).forEach(r -> latestPerJob.put(r.jobName(), r));
        }
        return latestPerJob.values().stream().filter(r -> UNFINISHED.contains(r.status()))
                .max(Comparator.comparingLong(MigrationHistory.JobRun::executionId));
    }
}
