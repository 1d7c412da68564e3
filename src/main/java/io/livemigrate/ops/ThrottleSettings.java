package io.livemigrate.ops;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the copy may do right now: a rows/s limit (0: unlimited), a manual pause, and a lag rule (pause while
 * {@code lagQuery}, run on the source, returns a number over {@code maxLag}).
 */
public record ThrottleSettings(long rowsPerSecond, boolean paused, String lagQuery, Double maxLag) {

    public static final ThrottleSettings UNLIMITED = new ThrottleSettings(0, false, null, null);

    public ThrottleSettings {
        if (rowsPerSecond < 0) {
            throw new IllegalArgumentException("rows per second must be 0 (unlimited) or more, not " + rowsPerSecond);
        }
        if ((lagQuery == null) != (maxLag == null)) {
            throw new IllegalArgumentException("a lag rule needs both a query and a maximum lag");
        }
    }

    public boolean limited() {
        return rowsPerSecond > 0;
    }

    public ThrottleSettings withRowsPerSecond(long rows) {
        return new ThrottleSettings(rows, paused, lagQuery, maxLag);
    }

    public ThrottleSettings withPaused(boolean pause) {
        return new ThrottleSettings(rowsPerSecond, pause, lagQuery, maxLag);
    }

    public ThrottleSettings withLagRule(String query, Double max) {
        return new ThrottleSettings(rowsPerSecond, paused, query, max);
    }

    /** One line for the console and the change log, e.g. {@code 2,000 rows/s, paused, lag rule: ... > 5.0}. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        parts.add(limited() ? String.format(Locale.ROOT, "%,d rows/s", rowsPerSecond) : "unlimited");
        if (paused) {
            parts.add("paused");
        }
        if (lagQuery != null) {
            parts.add("pause while (" + lagQuery + ") > " + maxLag);
        }
        return String.join(", ", parts);
    }
}
