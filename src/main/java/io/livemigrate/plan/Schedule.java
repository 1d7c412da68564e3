package io.livemigrate.plan;

import java.util.List;

/**
 * One scheduled livemigrate command of a plan, for {@code server} mode: a Quartz cron expression (seconds first,
 * e.g. {@code "0 0 2 * * ?"} for 02:00 daily), its time zone, and the command with its options (the server adds
 * {@code --plan} and {@code --repository}).
 */
public record Schedule(String name, String cron, String timeZone, List<String> command) {

    /** The commands a schedule may run: those that make sense unattended. */
    public static final List<String> COMMANDS = List.of("check", "copy", "verify", "catchup", "stop", "restart",
            "throttle", "status");

    public Schedule {
        command = List.copyOf(command);
    }
}
