package io.livemigrate.ops;

import io.livemigrate.plan.Schedule;
import org.quartz.CronScheduleBuilder;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;

import java.util.TimeZone;

/** Quartz jobs and cron triggers for a plan's schedules, grouped by plan name. */
final class ScheduleTriggers {

    private ScheduleTriggers() {
    }

    static JobDetail job(String plan, Schedule s) {
        return JobBuilder.newJob(ScheduledCommandJob.class).withIdentity(s.name(), plan).storeDurably()
                .withDescription("livemigrate " + String.join(" ", s.command()))
                .usingJobData(ScheduledCommandJob.CRON, s.cron())
                .usingJobData(ScheduledCommandJob.ZONE, s.timeZone())
                .usingJobData(ScheduledCommandJob.COMMAND, String.join("\n", s.command()))
                .build();
    }

    static Trigger trigger(String plan, Schedule s, JobDetail job) {
        // A fire missed while every server was down is skipped, not run late: the next one comes soon enough.
        return TriggerBuilder.newTrigger().withIdentity(s.name(), plan).forJob(job)
                .withSchedule(CronScheduleBuilder.cronSchedule(s.cron()).inTimeZone(TimeZone.getTimeZone(s.timeZone()))
                        .withMisfireHandlingInstructionDoNothing())
                .build();
    }
}
