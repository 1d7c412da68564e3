package io.livemigrate.cli;

import io.livemigrate.check.PreflightReport;
import io.livemigrate.plan.MigrationPlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** {@code check}: preflight only. Prints every table and every problem; exit 2 when anything refuses the migration. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Preflight: connect to both servers and report per table what the copy would do and every problem.")
class CheckCommand implements Callable<Integer> {

    @Mixin
    PlanOptions options;

    @Override
    public Integer call() throws Exception {
        MigrationPlan plan = options.loadPlan();
        System.out.println("check: plan '" + plan.name() + "' (" + plan.engineKind().displayName() + ")");
        System.out.println("  source " + plan.source().safeUrl());
        System.out.println("  target " + plan.target().safeUrl());
        System.out.println();
        PreflightReport report = Preflights.run(plan, options.repositoryLocation());
        report.print(System.out);
        return report.passed() ? ExitCodes.OK : ExitCodes.BAD_INPUT;
    }
}
