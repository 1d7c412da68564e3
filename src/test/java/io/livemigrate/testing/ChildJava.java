package io.livemigrate.testing;

import io.livemigrate.cli.Main;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a livemigrate child JVM in tests (crash tests, servers, workers, catch-ups a test stops):
 * this JVM's Java and class path, {@link Main}, and the start-up options below.
 *
 * <p>A suite starts many such JVMs, several at once, on a machine of two cores shared with the database servers;
 * most of a child's CPU goes into its start-up. They run as {@code bin/livemigrate} runs short commands: C1 alone
 * (C2 compiling Spring's start-up code costs a short-lived child more CPU than it saves), and the serial collector
 * (a child's heap is at most 512 MB; the default collector's concurrent threads compete with the servers for the
 * same cores).
 * Neither changes what a command does; a test that needs other options passes its own.
 */
public final class ChildJava {

    /** The options every child JVM gets, before the heap option of its caller. */
    public static final List<String> START_UP_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    private ChildJava() {
    }

    /** {@code java <options> <heap> -cp <class path> io.livemigrate.cli.Main <args>}, e.g. heap {@code -Xmx256m}. */
    public static List<String> command(String heap, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(START_UP_OPTIONS);
        cmd.add(heap);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** {@link #command} without arguments as one string, for a script that appends its own (no spaces in paths). */
    public static String commandLine(String heap) {
        return String.join(" ", command(heap));
    }
}
