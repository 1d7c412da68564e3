package io.livemigrate.verify;

import io.livemigrate.core.MigrationResources;
import io.livemigrate.keyrange.CopyRange;
import io.livemigrate.keyrange.KeySlice;
import io.livemigrate.keyrange.KeySliceReader;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * The default verify reader: the partition's whole key range as one chunk. A digest query costs about what finding a
 * slice boundary costs (both walk the range), so slicing ranges that are already partition-sized would double the
 * reads; {@code --chunk-rows n} switches to {@link KeySliceReader} slices for finer checkpoints.
 */
class WholeRangeReader implements ItemStreamReader<KeySlice> {

    private static final String DONE_KEY = "verify.range.done";

    private final MigrationResources resources;
    private CopyRange range;
    private boolean done;

    WholeRangeReader(MigrationResources resources) {
        this.resources = resources;
    }

    @Override
    public void open(ExecutionContext ctx) {
        range = CopyRange.fromContext(ctx);
        done = Boolean.parseBoolean(ctx.getString(DONE_KEY, "false"));
    }

    @Override
    public KeySlice read() {
        if (done) {
            return null;
        }
        done = true;
        return new KeySlice(resources.sourceTable(range.table()), range.lower(), range.upper());
    }

    @Override
    public void update(ExecutionContext ctx) {
        ctx.putString(DONE_KEY, String.valueOf(done));
    }
}
