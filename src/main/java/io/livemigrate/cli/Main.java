package io.livemigrate.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar livemigrate.jar <command> --plan <file>}: one subcommand per job or tool. Errors an operator can
 * fix (bad plan, unreachable server, failed preflight) print one clear message and exit 2.
 */
@Command(name = "livemigrate", mixinStandardHelpOptions = true, version = "livemigrate 0.1.0",
        description = "Moves a live PostgreSQL or MySQL/MariaDB database to another server with zero downtime.",
        subcommands = {CheckCommand.class, CopyCommand.class, VerifyCommand.class, CatchupCommand.class, StopCommand.class, CutoverCommand.class, RevertCommand.class, CompleteCommand.class, WorkerCommand.class, StatusCommand.class, ThrottleCommand.class, RestartCommand.class, ServerCommand.class, DemoCommand.class, RehearseCommand.class},
        footer = {"", "Exit codes: 0 success, 1 job failed (run the same command again to resume), "
                + "2 bad usage/plan/preflight (nothing written), 3 verification or rehearsal found differences."})
public class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        TerminationSignals.install();
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(new ErrorReporter());
        cli.setParameterExceptionHandler((ex, a) -> {
            System.err.println("livemigrate: " + ex.getMessage());
            ex.getCommandLine().usage(System.err);
            return ExitCodes.BAD_INPUT;
        });
        return cli.execute(args);
    }
}
