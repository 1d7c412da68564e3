package io.livemigrate.cli;

import io.livemigrate.plan.MigrationPlan;
import io.livemigrate.plan.PlanLoader;
import io.livemigrate.plan.WorkerOptions;
import io.livemigrate.scaleout.ScaleOutSettings;
import picocli.CommandLine.Option;

/** {@code --workers} and {@code --broker}, shared by the commands whose partitions can run on remote workers. */
public class WorkersOptions {

    @Option(names = "--workers", paramLabel = "local|remote",
            description = "Where partitions run: local threads, or remote workers taking them from the broker. "
                    + "Default: the plan's workers.mode, else local.")
    String workers;

    @Option(names = "--broker", paramLabel = "<amqp-uri>",
            description = "The message broker in remote mode, amqp://user@host:5672 (password in "
                    + "LIVEMIGRATE_BROKER_PASSWORD). Default: the plan's workers.broker, else ${LIVEMIGRATE_BROKER_URL}.")
    String broker;

    /** The remote settings, or null when partitions run locally. */
    ScaleOutSettings resolve(PlanOptions options, MigrationPlan plan) {
        if (workers != null && !workers.equals("local") && !workers.equals("remote")) {
            throw new ErrorReporter.UsageException("--workers: '" + workers + "' is not local or remote");
        }
        WorkerOptions fromPlan = new PlanLoader().workers(plan.file());
        boolean remote = workers == null ? fromPlan.remote() : workers.equals("remote");
        return remote ? ScaleOutSettings.resolve(broker, fromPlan, plan.name(), System::getenv) : null;
    }
}
