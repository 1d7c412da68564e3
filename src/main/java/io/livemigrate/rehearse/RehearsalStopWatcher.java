package io.livemigrate.rehearse;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.TaskScheduler;

import javax.sql.DataSource;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;

/**
 * Turns {@code livemigrate stop --job rehearse} (from any process) into the {@link RehearsalStop} of an execution:
 * while partitions of that execution run in this process (the command's, or a remote worker's) it reads the
 * execution's status every {@value #POLL_MILLIS} ms, on the scheduler rather than on a partition thread, so the stop
 * also reaches threads that are blocked in a statement or a wait. Spring Batch ends the steps STOPPED at their next
 * chunk boundary, which the stop makes come at once.
 *
 * <p>Both STOPPING and STOPPED mean stop: Spring Batch 6.0's {@code JobOperator.stop} sets the end time with
 * STOPPING, and the repository then stores STOPPED at once, while the execution still runs (spring-batch#5114). A
 * check for STOPPING alone never fires; Spring Batch's own check only runs at a chunk boundary, which a reader waiting
 * for the log to grow, or a replay waiting for a paused throttle, never reaches.
 */
final class RehearsalStopWatcher {

    private static final Logger log = LoggerFactory.getLogger(RehearsalStopWatcher.class);

    static final long POLL_MILLIS = 250;

    private final JdbcTemplate repository;
    private final TaskScheduler scheduler;

    RehearsalStopWatcher(DataSource repository, TaskScheduler scheduler) {
        this.repository = new JdbcTemplate(repository);
        this.scheduler = scheduler;
    }

    /** Requests {@code stop} once the repository shows {@code execution} stopped; until the handle is cancelled. */
    ScheduledFuture<?> watch(long execution, RehearsalStop stop) {
        return scheduler.scheduleWithFixedDelay(() -> poll(execution, stop), Instant.now().plusMillis(POLL_MILLIS),
                Duration.ofMillis(POLL_MILLIS));
    }

    private void poll(long execution, RehearsalStop stop) {
        String status;
        try {
            status = repository.queryForObject("SELECT STATUS FROM BATCH_JOB_EXECUTION WHERE JOB_EXECUTION_ID = ?",
                    String.class, execution);
        }
        catch (RuntimeException unreadable) {
            // a repository hiccup: asked again at the next poll
            return;
        }
        if ((BatchStatus.STOPPING.name().equals(status) || BatchStatus.STOPPED.name().equals(status))
                && !stop.requested()) {
            log.info("rehearse: stop requested (execution {} is {} in the job repository): the partitions end their"
                    + " input and finish the statements under way", execution, status);
            stop.request();
        }
    }
}
