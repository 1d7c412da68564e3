package io.livemigrate.ops;

import io.livemigrate.plan.Schedule;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.SchedulerException;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.scheduling.quartz.QuartzJobBean;

import java.util.List;

/**
 * The Quartz job behind every schedule. Clustered Quartz gives each fire to one server; the job does not run twice
 * at once for the same schedule (a long catch-up is not started again while it still runs).
 */
@DisallowConcurrentExecution
public class ScheduledCommandJob extends QuartzJobBean {

    static final String CRON = "cron";
    static final String ZONE = "zone";
    static final String COMMAND = "command";

    private ScheduledCommandRunner runner;

    @Autowired
    public void setRunner(ScheduledCommandRunner runner) {
        this.runner = runner;
    }

    @Override
    protected void executeInternal(JobExecutionContext context) throws JobExecutionException {
        var data = context.getMergedJobDataMap();
        Schedule schedule = new Schedule(context.getJobDetail().getKey().getName(), data.getString(CRON),
                data.getString(ZONE), List.of(data.getString(COMMAND).split("\n")));
        try {
            runner.run(schedule, context.getScheduledFireTime(), context.getFireInstanceId(),
                    context.getScheduler().getSchedulerInstanceId());
        }
        catch (SchedulerException | java.sql.SQLException e) {
            throw new JobExecutionException("schedule " + schedule.name() + ": " + e.getMessage(), e);
        }
    }
}
