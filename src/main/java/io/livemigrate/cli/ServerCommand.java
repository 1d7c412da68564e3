package io.livemigrate.cli;

import io.livemigrate.ops.OpsServer;
import io.livemigrate.ops.ScheduledCommandRunner;
import io.livemigrate.ops.ServerAccess;
import io.livemigrate.ops.ServerSchedules;
import io.livemigrate.plan.MigrationPlan;
import io.livemigrate.plan.PlanLoader;
import io.livemigrate.plan.Schedule;
import org.springframework.context.ConfigurableApplicationContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code server}: a long-running process that runs the plan's schedules with clustered Quartz (in the job
 * repository database, so several servers share them and each fire runs once), serves Actuator with a Prometheus
 * endpoint and a read-only status page. Stops on SIGTERM.
 */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Run the plan's schedules (clustered Quartz), metrics (/actuator/prometheus) and a status page.")
class ServerCommand implements Callable<Integer> {

    @Mixin
    PlanOptions options;

    @Option(names = "--port", defaultValue = "8080", description = "HTTP port. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--bind", paramLabel = "<address>",
            description = "Address to listen on, e.g. 0.0.0.0 or one of this machine's addresses. Default: the plan's "
                    + "server.bind, else ${LIVEMIGRATE_SERVER_BIND}, else 127.0.0.1 (loopback only). Beyond loopback "
                    + "the server requires basic authentication: password in LIVEMIGRATE_SERVER_PASSWORD or the "
                    + "plan's server.password-file, user in LIVEMIGRATE_SERVER_USER (default livemigrate).")
    String bind;

    @Option(names = "--schedules", paramLabel = "<file>",
            description = "More schedules (e.g. ops/schedules/nightly-verify.yml); repeatable.")
    List<Path> scheduleFiles = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        MigrationPlan plan = options.loadPlan();
        List<Schedule> all = new ArrayList<>(plan.schedules());
        PlanLoader loader = new PlanLoader();
        for (Path file : scheduleFiles) {
            all.addAll(loader.loadSchedules(file));
        }
        ServerSchedules schedules;
        try {
            schedules = new ServerSchedules(all);
        }
        catch (IllegalArgumentException e) {
            throw new ErrorReporter.UsageException("server: " + e.getMessage());
        }
        ServerAccess access;
        try {
            access = ServerAccess.resolve(bind, new PlanLoader().server(plan.file()), System.getenv());
        }
        catch (IllegalArgumentException e) {
            throw new ErrorReporter.UsageException("server: " + e.getMessage());
        }
        Path planFile = options.plan.toAbsolutePath();
        ConfigurableApplicationContext ctx = OpsServer.start(plan, options.repositoryLocation(), schedules,
                ds -> new ScheduledCommandRunner(plan.name(), planFile, options.repository, ds, Main::execute), port, access);
        System.out.println("server: plan '" + plan.name() + "', " + schedules.all().size() + " schedule(s), "
                + access.describe(port) + "; status page /, metrics /actuator/prometheus");
        CountDownLatch closed = new CountDownLatch(1);
        ctx.addApplicationListener((org.springframework.context.event.ContextClosedEvent e) -> closed.countDown());
        closed.await();
        return ExitCodes.OK;
    }
}
