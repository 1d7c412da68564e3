package io.livemigrate.ops;

import io.livemigrate.plan.Schedule;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The schedules a server runs: the plan's and those of the --schedules files, names unique. */
public record ServerSchedules(List<Schedule> all) {

    public ServerSchedules {
        all = List.copyOf(all);
        Set<String> names = new HashSet<>();
        for (Schedule s : all) {
            if (!names.add(s.name())) {
                throw new IllegalArgumentException("schedule '" + s.name() + "' is defined twice (in the plan and a "
                        + "schedules file, or in two files); give each a name of its own");
            }
        }
    }
}
