package io.livemigrate.rehearse;

import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ItemWriter;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adds a chunk's outcomes to its partition's rows in the job repository (see {@link RehearsalStore}), in the chunk's
 * transaction, so the counts and histograms commit together with the reader's checkpoint.
 */
class RehearsalWriter implements ItemWriter<ReplayOutcome> {

    private final RehearsalStore store;
    private final long instance;
    private final String partition;
    private final RehearsalProgress progress;

    RehearsalWriter(RehearsalStore store, StepExecution step, RehearsalProgress progress) {
        this.store = store;
        this.instance = step.getJobExecution().getJobInstance().getInstanceId();
        this.partition = step.getStepName();
        this.progress = progress;
    }

    @Override
    public void write(Chunk<? extends ReplayOutcome> chunk) {
        Map<String, FingerprintStats> shapes = new LinkedHashMap<>();
        Map<List<String>, Long> skips = new LinkedHashMap<>();
        Map<List<String>, String> examples = new HashMap<>();
        for (ReplayOutcome o : chunk) {
            if (o.replayed()) {
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
        progress.add(chunk);
    }
}
