package io.livemigrate.cli;

import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code demo}: placeholder until the embedded servers land. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start embedded source and target servers, seed a shop schema, and run check and copy on them.")
class DemoCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        throw new UnsupportedOperationException("demo is not implemented yet");
    }
}
