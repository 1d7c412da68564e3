package io.livemigrate.cli;

import io.livemigrate.copy.CopyJobConfiguration;
import io.livemigrate.plan.MigrationPlan;
import io.livemigrate.plan.PlanLoader;
import io.livemigrate.rehearse.RehearseReplayConfiguration;
import io.livemigrate.scaleout.ScaleOutSettings;
import io.livemigrate.scaleout.ScaleOutContexts;
import io.livemigrate.scaleout.WorkerIdentity;
import io.livemigrate.verify.VerifyJobConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code worker}: runs the copy, verify and rehearse partitions that {@code copy}, {@code verify} and
 * {@code rehearse --workers remote} put on the broker, against the shared job repository, until stopped.
 * Start as many as the source and target can feed, on as many machines.
 */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = "Run copy/verify/rehearse partitions from the message broker until stopped (scale-out).")
class WorkerCommand implements Callable<Integer> {

    @Mixin
    PlanOptions options;

    @Option(names = "--broker", paramLabel = "<amqp-uri>",
            description = "The message broker, amqp://user@host:5672 (password in LIVEMIGRATE_BROKER_PASSWORD). "
                    + "Default: the plan's workers.broker, else ${LIVEMIGRATE_BROKER_URL}.")
    String broker;

    @Override
    public Integer call() throws Exception {
        MigrationPlan plan = options.loadPlan();
        ScaleOutSettings settings = ScaleOutSettings.resolve(broker, new PlanLoader().workers(plan.file()), plan.name(),
                System::getenv);
        CountDownLatch stopped = new CountDownLatch(1);
        try (ConfigurableApplicationContext ctx = ScaleOutContexts.worker(plan, options.repositoryLocation(), settings,
                CopyJobConfiguration.class, VerifyJobConfiguration.class, RehearseReplayConfiguration.class)) {
            System.out.println("worker " + WorkerIdentity.current() + ": plan '" + plan.name() + "', "
                    + plan.copy().threads() + " partition(s) at a time from queue " + settings.queue() + " on "
                    + settings.broker() + ", repository " + options.repositoryLocation());
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
            stopped.await();
        }
        return ExitCodes.OK;
    }
}
