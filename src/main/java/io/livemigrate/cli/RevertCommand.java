package io.livemigrate.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/**
 * {@code revert}: the cutover procedure in the other direction, over the reverse stream: traffic returns to the
 * source with every write made on the target. Needs {@code catchup --plan F --reverse} running.
 */
@Command(name = "revert", mixinStandardHelpOptions = true,
        description = "Switch the application back to the source over the reverse stream.")
class RevertCommand extends CutoverCommand implements Callable<Integer> {

    @Override
    public Integer call() throws Exception {
        return run(options.loadPlan().reversed(), "revert", true);
    }
}
