package io.livemigrate.cutover;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code cutover --hold-before STEP --hold-file FILE}: before STEP does any work, the run waits while FILE exists
 * and goes on the moment it is deleted (as gh-ost's {@code --postpone-cut-over-flag-file}). Two uses: a go/no-go
 * gate (hold before {@code 2-fence}: preconditions checked, nothing touched yet, and the cutover starts the instant
 * the operator deletes the file), and rehearsing recovery on a staging copy: hold before any step, kill the command
 * there, run {@code cutover} again and see it finish or roll back. Held after {@code 2-fence}, writes stay fenced
 * while it waits, and a hold before {@code 3-drain} counts against max-pause. The hold is an ordinary, recorded
 * part of the step (its wait is in the step's duration and under {@code held.ms} in its context).
 */
public final class CutoverHold implements StepExecutionListener {

    static final String STEP_PARAMETER = "hold-before";
    static final String FILE_PARAMETER = "hold-file";

    private static final Logger log = LoggerFactory.getLogger(CutoverHold.class);

    /** Where to hold: the step's name and the file; {@link #NONE} holds nowhere. */
    public record Request(String step, Path file) {
        public static final Request NONE = new Request(null, null);
    }

    /** The step a {@code --hold-before} value names: its full name or its number; empty when it names none. */
    public static Optional<String> step(String value) {
        return CutoverJobConfiguration.STEPS.stream()
                .filter(s -> s.equals(value) || s.substring(0, s.indexOf('-')).equals(value)).findFirst();
    }

    /** The job parameters of a hold (not identifying: a rerun may hold elsewhere or not at all). */
    static JobParameters parameters(JobParameters base, Request hold) {
        if (hold.step() == null) {
            return base;
        }
        return new JobParametersBuilder(base)
                .addString(STEP_PARAMETER, hold.step(), false)
                .addString(FILE_PARAMETER, hold.file().toAbsolutePath().toString(), false)
                .toJobParameters();
    }

    @Override
    public void beforeStep(StepExecution step) {
        holdBefore(step.getStepName(), step.getJobExecution().getJobParameters(), step.getExecutionContext());
    }

    /**
     * Holds before the step or pause phase {@code name} when the run's parameters ask for it and the file exists;
     * records the wait under {@code held.ms} in {@code context}.
     *
     * @return the milliseconds held (0 when not)
     */
    static long holdBefore(String name, JobParameters p, ExecutionContext context) {
        String before = p.getString(STEP_PARAMETER);
        if (before == null || !before.equals(name)) {
            return 0;
        }
        Path file = Path.of(p.getString(FILE_PARAMETER));
        if (!Files.exists(file)) {
            return 0;
        }
        long start = System.currentTimeMillis();
        log.warn("holding before {} while {} exists: delete it to go on", before, file);
        try {
            while (Files.exists(file)) {
                Thread.sleep(100);
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while holding before " + before, e);
        }
        long held = System.currentTimeMillis() - start;
        context.putLong("held.ms", held);
        log.info("{} deleted after {} ms: going on with {}", file, held, before);
        return held;
    }
}
