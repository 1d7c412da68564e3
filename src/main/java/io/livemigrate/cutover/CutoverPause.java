package io.livemigrate.cutover;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.batch.core.repository.JobRepository;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The cutover's Spring Batch step {@value #STEP}: its preparation, then steps 2 (fence) to 8 (unfence) as timed
 * phases of one step, so that between fence and unfence the job repository is written to only where a rerun must
 * know something (docs/design.md, "The pause"): a step boundary costs several repository writes, and every one made
 * between fence and unfence holds the application's writes longer. Each phase's duration is recorded after unfence in
 * the step's context as {@code phase.<name>.ms} ({@code phase.prepare.ms} for the preparation), and a phase can be
 * held before ({@code --hold-before}) as a step could.
 *
 * <p>Restart: a run that failed in here before its switch is rolled back, never restarted (see {@link CutoverRuns});
 * one whose switch began is restarted to finish, and then goes straight to the switch (redone unless recorded done)
 * and the unfence (unless recorded lifted).
 */
final class CutoverPause implements Tasklet {

    static final String STEP = "2-8-pause";
    static final String PHASE_PREFIX = "phase.";
    private static final Logger log = LoggerFactory.getLogger(CutoverPause.class);

    private final CutoverSteps steps;
    private final JobRepository repository;

    CutoverPause(CutoverSteps steps, JobRepository repository) {
        this.steps = steps;
        this.repository = repository;
    }

    /** One execution of the pause step: the record, the step's context, what the phases hand on to each other. */
    static final class Run {

        private final CutoverRecord record;
        private final ExecutionContext step;
        private long pauseStarted;
        private String switchRestore;
        private Reverification reverification;

        Run(CutoverRecord record, ExecutionContext step) {
            this.record = record;
            this.step = step;
        }

        CutoverRecord record() {
            return record;
        }

        ExecutionContext step() {
            return step;
        }

        long pauseStarted() {
            return pauseStarted;
        }

        void pauseStarted(long millis) {
            pauseStarted = millis;
        }

        String switchRestore() {
            return switchRestore;
        }

        void switchRestore(String restore) {
            switchRestore = restore;
        }

        Reverification reverification() {
            return reverification;
        }

        void reverification(Reverification prepared) {
            reverification = prepared;
        }
    }

    @FunctionalInterface
    private interface Phase {
        void run(Run run) throws Exception;
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunk) throws Exception {
        StepExecution step = chunk.getStepContext().getStepExecution();
        Run run = new Run(new CutoverRecord(step.getJobExecution(), repository), step.getExecutionContext());
        JobParameters parameters = step.getJobExecution().getJobParameters();
        Map<String, Long> timings = new LinkedHashMap<>();
        try {
            if (run.record().has(CutoverRecord.SWITCH_RESTORE)) {
                run.pauseStarted(Long.parseLong(run.record().get(CutoverRecord.PAUSE_STARTED)));
                log.info("the switch of this run began before: finishing it");
            }
            else {
                phase("prepare", steps::prepare, run, parameters, timings);
                phase("2-fence", steps::fence, run, parameters, timings);
                phase("3-drain", steps::drain, run, parameters, timings);
                phase("4-reverify", steps::reverify, run, parameters, timings);
                phase("5-sequences", steps::sequences, run, parameters, timings);
                phase("6-reverse-stream", steps::reverseStream, run, parameters, timings);
            }
            if (!run.record().has(CutoverRecord.SWITCH_DONE)) {
                phase("7-switch", steps::switchTraffic, run, parameters, timings);
            }
            if (!run.record().has(CutoverRecord.FENCE_LIFTED)) {
                phase("8-unfence", steps::unfence, run, parameters, timings);
            }
        }
        finally {
            timings.forEach((name, ms) -> run.step().putLong(PHASE_PREFIX + name + ".ms", ms));
        }
        return RepeatStatus.FINISHED;
    }

    private static void phase(String name, Phase phase, Run run, JobParameters parameters, Map<String, Long> timings)
            throws Exception {
        long held = CutoverHold.holdBefore(name, parameters, run.step());
        long start = System.nanoTime();
        try {
            phase.run(run);
        }
        finally {
            timings.put(name, (System.nanoTime() - start) / 1_000_000 + held);
        }
    }
}
