package io.livemigrate.rehearse;

import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStream;
import org.springframework.batch.infrastructure.item.ItemWriter;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adds a chunk's outcomes to its partition's rows in the job repository (see {@link RehearsalStore}), in the chunk's
 * transaction, so the counts and histograms commit together with the reader's checkpoint. The partition's context
 * also counts the statements it replayed, all runs together and before this run, so the command can say how many
 * this execution replayed wherever its partitions ran ({@link #replayedBy}).
 */
class RehearsalWriter implements ItemWriter<ReplayOutcome>, ItemStream {

    static final String REPLAYED_KEY = "rehearse.replayed";
    static final String REPLAYED_BEFORE_KEY = "rehearse.replayed-before";

    private final RehearsalStore store;
    private final long instance;
    private final String partition;
    private long replayed;

    RehearsalWriter(RehearsalStore store, StepExecution step) {
        this.store = store;
        this.instance = step.getJobExecution().getJobInstance().getInstanceId();
        this.partition = step.getStepName();
    }

    @Override
    public void open(ExecutionContext ctx) {
        replayed = ctx.getLong(REPLAYED_KEY, 0L);
        ctx.putLong(REPLAYED_BEFORE_KEY, replayed);
    }

    @Override
    public void update(ExecutionContext ctx) {
        ctx.putLong(REPLAYED_KEY, replayed);
    }

    /** Statements the partitions of {@code execution} (as the repository holds it) replayed in that execution. */
    static long replayedBy(JobExecution execution) {
        long sum = 0;
        for (StepExecution step : execution.getStepExecutions()) {
            ExecutionContext ctx = step.getExecutionContext();
            sum += ctx.getLong(REPLAYED_KEY, 0L) - ctx.getLong(REPLAYED_BEFORE_KEY, 0L);
        }
        return sum;
    }

    @Override
    public void write(Chunk<? extends ReplayOutcome> chunk) {
        Map<String, FingerprintStats> shapes = new LinkedHashMap<>();
        Map<List<String>, Long> skips = new LinkedHashMap<>();
        Map<List<String>, String> examples = new HashMap<>();
        for (ReplayOutcome o : chunk) {
            if (o.replayed()) {
                replayed++;
                shapes.computeIfAbsent(o.fingerprint(), FingerprintStats::new).add(o);
            }
            else {
                List<String> key = List.of(o.kind().name(), switch (o.kind()) {
                    case SETTING -> "session setting (repeated before each replay of its session)";
                    case NOT_SAMPLED -> "not in the sample (--sample)";
                    case STOPPED -> "the rehearsal was stopped before its replay finished";
                    default -> o.reason();
                });
                skips.merge(key, 1L, Long::sum);
                examples.putIfAbsent(key, o.sql());
            }
        }
        store.addToPartition(instance, partition, shapes, skips, examples);
    }
}
