package io.livemigrate.ops;

import io.livemigrate.plan.Schedule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.function.Function;

/**
 * Runs a schedule's livemigrate command in the server process, with the server's plan and repository, and records
 * each fire in LIVEMIGRATE_SCHEDULE_RUN (node, command, exit code) so ops can audit what ran where.
 */
public final class ScheduledCommandRunner {

    private static final Logger log = LoggerFactory.getLogger(ScheduledCommandRunner.class);

    private final String planName;
    private final Path planFile;
    private final String repositoryOption;
    private final DataSource repository;
    private final Function<String[], Integer> commandLine;

    /**
     * @param repositoryOption the server's {@code --repository} value, passed on (null: the same default)
     * @param commandLine      runs livemigrate's command line in this process and returns its exit code
     */
    public ScheduledCommandRunner(String planName, Path planFile, String repositoryOption, DataSource repository,
                                  Function<String[], Integer> commandLine) {
        this.planName = planName;
        this.planFile = planFile;
        this.repositoryOption = repositoryOption;
        this.repository = repository;
        this.commandLine = commandLine;
    }

    public int run(Schedule schedule, Date scheduledAt, String fireId, String node) throws SQLException {
        List<String> args = new ArrayList<>(schedule.command());
        args.addAll(1, List.of("--plan", planFile.toString()));
        if (repositoryOption != null) {
            args.addAll(3, List.of("--repository", repositoryOption));
        }
        String shown = String.join(" ", schedule.command());
        log.info("schedule '{}' (fire {} on {}): livemigrate {}", schedule.name(), fireId, node, shown);
        recordStart(schedule.name(), fireId, scheduledAt, node, shown);
        int exit = 1; // a command that throws counts as a failed job
        try {
            exit = commandLine.apply(args.toArray(String[]::new));
        }
        finally {
            recordEnd(fireId, exit);
            log.info("schedule '{}' (fire {}): exit {}", schedule.name(), fireId, exit);
        }
        return exit;
    }

    private void recordStart(String schedule, String fireId, Date scheduledAt, String node, String command)
            throws SQLException {
        try (Connection c = repository.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO LIVEMIGRATE_SCHEDULE_RUN (PLAN_NAME, SCHEDULE_NAME, FIRE_ID, SCHEDULED_AT, STARTED_AT, "
                        + "NODE, COMMAND_LINE) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, planName);
            ps.setString(2, schedule);
            ps.setString(3, fireId);
            ps.setTimestamp(4, new Timestamp(scheduledAt.getTime()));
            ps.setTimestamp(5, Timestamp.from(Instant.now()));
            ps.setString(6, node);
            ps.setString(7, command.length() > 1000 ? command.substring(0, 1000) : command);
            ps.executeUpdate();
        }
    }

    private void recordEnd(String fireId, int exit) throws SQLException {
        try (Connection c = repository.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE LIVEMIGRATE_SCHEDULE_RUN SET ENDED_AT = ?, EXIT_CODE = ? WHERE PLAN_NAME = ? AND FIRE_ID = ?")) {
            ps.setTimestamp(1, Timestamp.from(Instant.now()));
            ps.setInt(2, exit);
            ps.setString(3, planName);
            ps.setString(4, fireId);
            ps.executeUpdate();
        }
    }
}
