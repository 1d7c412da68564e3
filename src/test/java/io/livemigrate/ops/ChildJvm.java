package io.livemigrate.ops;

import io.livemigrate.testing.ChildJava;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Starts {@code livemigrate <args>} in a child JVM with extra environment variables, output to a log file. */
final class ChildJvm {

    private ChildJvm() {
    }

    static Process start(Path log, Map<String, String> env, String... args) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(ChildJava.command("-Xmx384m", args)).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }
}
