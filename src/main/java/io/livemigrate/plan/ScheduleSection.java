package io.livemigrate.plan;

import org.quartz.CronExpression;

import java.text.ParseException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** Reads and validates a {@code schedules} mapping (in a plan or an ops/schedules file): name to cron and command. */
final class ScheduleSection {

    private static final Set<String> KEYS = Set.of("cron", "command", "time-zone");

    private ScheduleSection() {
    }

    static List<Schedule> read(YamlSection schedules) {
        List<Schedule> result = new ArrayList<>();
        for (String name : schedules.keys()) {
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
                throw schedules.problem(name, "'" + name + "' is not a valid schedule name; use letters, digits, "
                        + "'-', '_' or '.'");
            }
            result.add(schedule(name, schedules.section(name, true)));
        }
        return result;
    }

    private static Schedule schedule(String name, YamlSection s) {
        s.allowOnly(KEYS);
        String cron = s.requiredString("cron");
        try {
            CronExpression.validateExpression(cron);
        }
        catch (ParseException e) {
            throw s.problem("cron", "'" + cron + "' is not a valid cron expression: " + e.getMessage() + " (Quartz "
                    + "syntax, seconds first: \"0 0 2 * * ?\" is 02:00 daily, \"0 */15 8-18 ? * MON-FRI\" every 15 "
                    + "minutes in business hours)");
        }
        String zone = s.optionalString("time-zone", ZoneId.systemDefault().getId());
        try {
            ZoneId.of(zone);
        }
        catch (RuntimeException e) {
            throw s.problem("time-zone", "'" + zone + "' is not a time zone, e.g. UTC or Europe/Berlin");
        }
        List<String> command = s.isList("command") ? s.stringList("command", true)
                : Arrays.asList(s.requiredString("command").trim().split("\\s+"));
        if (command.isEmpty() || !Schedule.COMMANDS.contains(command.get(0))) {
            throw s.problem("command", "must start with one of " + Schedule.COMMANDS + ", not '"
                    + (command.isEmpty() ? "" : command.get(0)) + "'");
        }
        for (String arg : command) {
            if (arg.equals("--plan") || arg.startsWith("--plan=") || arg.startsWith("--repository")) {
                throw s.problem("command", "must not give " + arg + ": the server runs it with its own plan and "
                        + "repository");
            }
        }
        return new Schedule(name, cron, zone, command);
    }

}
