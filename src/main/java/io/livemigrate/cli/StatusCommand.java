package io.livemigrate.cli;

import io.livemigrate.plan.MigrationPlan;
import io.livemigrate.repository.MigrationHistory;
import io.livemigrate.repository.MigrationStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.json.JsonMapper;

import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code status}: the migration's phase, per-table progress and job executions, read from the job repository. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the migration's phase, per-table progress and job executions from the job repository.")
class StatusCommand implements Callable<Integer> {

    @Mixin
    PlanOptions options;

    @Option(names = "--json", description = "Print machine-readable JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        MigrationPlan plan = options.loadPlan();
        Optional<MigrationHistory> history = MigrationHistory.open(options.repositoryLocation());
        MigrationStatus status;
        if (history.isEmpty()) {
            status = MigrationStatus.notStarted(plan.name());
        }
        else {
            try (MigrationHistory h = history.get()) {
                status = MigrationStatus.read(h, plan.name());
            }
        }
        if (json) {
            System.out.println(JsonMapper.builder().build().writerWithDefaultPrettyPrinter().writeValueAsString(status));
        }
        else {
            status.print(System.out);
        }
        return ExitCodes.OK;
    }
}
