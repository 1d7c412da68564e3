package io.livemigrate.ops;

import io.livemigrate.plan.Schedule;
import org.quartz.CronTrigger;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.JobPersistenceException;
import org.quartz.ObjectAlreadyExistsException;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.impl.matchers.GroupMatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Brings the clustered job store in line with this server's schedules when it starts. An unchanged trigger is left
 * alone: replacing it would reset its next fire time and could fire the current second again on another server
 * (a duplicate run). Changed ones are rescheduled, removed ones deleted, new ones added (a server starting at the
 * same moment may add it first, which is fine).
 */
final class ScheduleRegistrar {

    private static final Logger log = LoggerFactory.getLogger(ScheduleRegistrar.class);

    private ScheduleRegistrar() {
    }

    /** Attempts at registering while other servers register the same schedules at the same moment. */
    private static final int ATTEMPTS = 5;

    /**
     * Registers {@code schedules}. Two servers starting together can both find a job missing and both insert it: the
     * store refuses the second insert (a duplicate key, not {@link ObjectAlreadyExistsException}), and registering
     * again then finds what the other server stored.
     */
    static void register(Scheduler scheduler, String plan, List<Schedule> schedules) throws SchedulerException {
        for (int attempt = 1; ; attempt++) {
            try {
                registerOnce(scheduler, plan, schedules);
                return;
            }
            catch (JobPersistenceException e) {
                if (attempt >= ATTEMPTS || !duplicateKey(e)) {
                    throw e;
                }
                log.info("another server stored the schedules of plan '{}' at the same moment; registering again",
                        plan);
            }
        }
    }

    private static boolean duplicateKey(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("23")) {
                return true;
            }
        }
        return false;
    }

    private static void registerOnce(Scheduler scheduler, String plan, List<Schedule> schedules)
            throws SchedulerException {
        for (Schedule s : schedules) {
            JobDetail job = ScheduleTriggers.job(plan, s);
            Trigger trigger = ScheduleTriggers.trigger(plan, s, job);
            Trigger existing = scheduler.getTrigger(trigger.getKey());
            if (existing != null && unchanged(existing, scheduler.getJobDetail(job.getKey()), s)) {
                continue;
            }
            scheduler.addJob(job, true);
            if (existing == null) {
                try {
                    scheduler.scheduleJob(trigger);
                }
                catch (ObjectAlreadyExistsException addedByAnotherServer) {
                    continue;
                }
            }
            else {
                scheduler.rescheduleJob(trigger.getKey(), trigger);
            }
            log.info("schedule '{}': {} ({}) runs livemigrate {}", s.name(), s.cron(), s.timeZone(),
                    String.join(" ", s.command()));
        }
        Set<String> names = schedules.stream().map(Schedule::name).collect(Collectors.toSet());
        for (JobKey key : scheduler.getJobKeys(GroupMatcher.jobGroupEquals(plan))) {
            if (!names.contains(key.getName())) {
                scheduler.deleteJob(key);
                log.info("schedule '{}' is no longer configured: removed", key.getName());
            }
        }
    }

    private static boolean unchanged(Trigger existing, JobDetail job, Schedule s) {
        return existing instanceof CronTrigger cron && job != null && cron.getCronExpression().equals(s.cron())
                && cron.getTimeZone().getID().equals(s.timeZone())
                && Objects.equals(job.getJobDataMap().getString(ScheduledCommandJob.COMMAND), String.join("\n", s.command()));
    }
}
