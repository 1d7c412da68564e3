package io.livemigrate.verify;

import io.livemigrate.core.MigrationResources;
import io.livemigrate.keyrange.KeySlice;
import io.livemigrate.ops.MigrationMetrics;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ItemWriter;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Verifies each key slice of a partition (see {@link RangeVerifier}) and records what it found: totals in the step
 * execution context, sample keys in LIVEMIGRATE_VERIFY_DIFF. Both are written in the chunk's repository
 * transaction, so a verification killed half way resumes from its last verified chunk without double counts.
 */
public class SliceVerifyWriter implements ItemWriter<KeySlice> {

    static final String SAMPLES_KEY = "verify.samples";

    private final MigrationResources resources;
    private final VerifyDigesters digesters;
    private final AppliedPositionProbe probe;
    private final boolean repair;
    private final VerifyReportStore store;
    private final StepExecution stepExecution;
    private final AtomicLong progress;

    public SliceVerifyWriter(MigrationResources resources, VerifyDigesters digesters, AppliedPositionProbe probe,
                             boolean repair, VerifyReportStore store, StepExecution stepExecution, AtomicLong progress) {
        this.resources = resources;
        this.digesters = digesters;
        this.probe = probe;
        this.repair = repair;
        this.store = store;
        this.stepExecution = stepExecution;
        this.progress = progress;
    }

    @Override
    public void write(Chunk<? extends KeySlice> chunk) throws Exception {
        for (KeySlice slice : chunk) {
            RangeVerifier verifier = new RangeVerifier(resources, digesters.of(slice.table().id()), slice.table(),
                    probe, repair);
            RangeVerifier.Result result = verifier.verify(slice.lower(), slice.upper());
            var ctx = stepExecution.getExecutionContext();
            result.counts().addTo(ctx);
            long stored = ctx.getLong(SAMPLES_KEY, 0L);
            int room = (int) Math.max(0, VerifyReportStore.SAMPLES_PER_TABLE - stored);
            List<Difference> samples = result.differences().subList(0, Math.min(room, result.differences().size()));
            store.addDifferences(stepExecution.getJobExecution().getJobInstance().getInstanceId(),
                    stepExecution.getJobExecutionId(), samples);
            ctx.putLong(SAMPLES_KEY, stored + samples.size());
            progress.addAndGet(result.counts().compared());
            MigrationMetrics.global().rowsVerified(slice.table().id().qualified(), result.counts().compared(),
                    result.counts().missing + result.counts().extra + result.counts().different);
        }
    }
}
