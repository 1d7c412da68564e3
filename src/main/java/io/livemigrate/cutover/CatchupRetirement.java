package io.livemigrate.cutover;

import io.livemigrate.catchup.CatchupJobConfiguration;
import io.livemigrate.core.ExecutionStopper;
import io.livemigrate.core.ResumableJobRunner;
import io.livemigrate.plan.MigrationPlan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;

import java.time.Duration;

/**
 * Step 9 of the cutover: the drained catch-up of this direction is ended, so it can never carry the reverse stream's
 * writes back (a loop that would overwrite newer rows). It is asked to stop and waited for until its step has ended;
 * one whose process on this host is gone (kill -9, a crash) is marked failed at once, since nothing will ever end it
 * ({@link ExecutionStopper}). One that runs on another host, or whose process is unknown, can only be waited for: if
 * it has not ended within {@link #WAIT} the step fails, saying what to do, and running the cutover again finishes the
 * run from this step.
 */
final class CatchupRetirement {

    private static final Logger log = LoggerFactory.getLogger(CatchupRetirement.class);
    static final Duration WAIT = Duration.ofSeconds(60);

    private final MigrationPlan plan;
    private final JobRepository repository;
    private final JobOperator operator;

    CatchupRetirement(MigrationPlan plan, JobRepository repository, JobOperator operator) {
        this.plan = plan;
        this.repository = repository;
        this.operator = operator;
    }

    /** Ends the plan's catch-up, recording what it found in {@code step}'s context under {@code catchup}. */
    void retire(StepExecution step) throws Exception {
        JobInstance instance = repository.getJobInstance(CatchupJobConfiguration.JOB_NAME,
                ResumableJobRunner.parameters(plan.name()));
        JobExecution last = instance == null ? null : repository.getLastJobExecution(instance);
        String reverse = "start the reverse stream: catchup --plan " + plan.file() + (plan.isReverse() ? "" : " --reverse");
        if (last == null) {
            step.getExecutionContext().putString("catchup", "was not running");
            log.info("9/9 no catch-up of {} has run; {}", plan.name(), reverse);
            return;
        }
        String catchup = "catch-up of " + plan.name() + " (execution " + last.getId() + ")";
        ExecutionStopper.Outcome outcome = new ExecutionStopper(operator, repository).stop(last, WAIT);
        String status = outcome.execution().getStatus().toString();
        switch (outcome.result()) {
            case NOT_RUNNING -> {
                step.getExecutionContext().putString("catchup", "was not running");
                log.info("9/9 {} was not running ({}); {}", catchup, status, reverse);
            }
            case ENDED -> {
                step.getExecutionContext().putString("catchup", "stopped execution " + last.getId());
                log.info("9/9 {} stopped; {}", catchup, reverse);
            }
            case OWNER_GONE -> {
                step.getExecutionContext().putString("catchup", "execution " + last.getId() + " had ended: its "
                        + outcome.ownerText() + " was gone; marked " + status);
                log.warn("9/9 {} had ended without a stop: its {} is gone (killed or crashed), so it applies nothing "
                        + "more; its execution is marked {}. {}", catchup, outcome.ownerText(), status, reverse);
            }
            default -> throw new IllegalStateException("the " + catchup + " has not ended within " + WAIT.toSeconds()
                    + " s of being asked to stop: " + whatToDo(outcome));
        }
    }

    /** What the operator can do about a catch-up that has not ended, by what this host can know of its process. */
    private String whatToDo(ExecutionStopper.Outcome running) {
        String stop = "stop it with 'stop --plan " + plan.file() + "'";
        String rerun = "run cutover again to finish (it goes on at this step)";
        String reverseLast = ". Start the reverse stream only then";
        return switch (running.owner()) {
            case RUNNING -> "its " + running.ownerText() + " still runs it (a large source transaction may still be "
                    + "applying): wait for it or " + stop + ", then " + rerun + reverseLast;
            case ELSEWHERE -> "its " + running.ownerText() + " cannot be checked from this host. On that host, if it "
                    + "still runs, " + stop + " and " + rerun + "; if it is gone, run cutover there, which recognises "
                    + "it as gone" + reverseLast;
            case UNRECORDED, GONE -> "it recorded no process (host and pid), so whether one still runs it cannot be "
                    + "checked: " + stop + " wherever it runs, then " + rerun + reverseLast;
        };
    }
}
