package io.livemigrate.copy;

import io.livemigrate.core.MigrationResources;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TargetRange;
import io.livemigrate.keyrange.KeySlice;
import io.livemigrate.ops.MigrationMetrics;
import io.livemigrate.ops.Throttle;
import io.livemigrate.schema.DdlPhase;
import io.livemigrate.schema.DeferredDdl;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ItemWriter;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Copies each slice through the engine's bulk path in one target transaction that first deletes the slice's key
 * range (docs/design.md, rule 3). The target commits before the job repository records the chunk, so a crash between the
 * two makes the next run copy the slice again, which replaces the same rows: no duplicate, nothing missing.
 *
 * <p>The one exception: the first attempt at a slice of a table whose key index is still deferred
 * ({@link DeferredDdl}, {@link DdlPhase#KEY}) skips the delete, as nothing can be in that range yet: a restarted copy
 * builds such indexes before it copies again.
 */
public class SliceCopyWriter implements ItemWriter<KeySlice> {

    public static final String ROWS_KEY = "rows.copied";

    private final MigrationResources resources;
    private final CopyProgress progress;
    private final StepExecution stepExecution;
    private final Throttle throttle;
    private final MigrationMetrics metrics;
    private final Set<TableId> keysDeferred;

    public SliceCopyWriter(MigrationResources resources, CopyProgress progress, StepExecution stepExecution,
                           Throttle throttle, MigrationMetrics metrics) {
        this.resources = resources;
        this.progress = progress;
        this.stepExecution = stepExecution;
        this.throttle = throttle;
        this.metrics = metrics;
        this.keysDeferred = keysDeferred(resources);
    }

    /** Target tables whose key index is still to be built: the copy created them and has not finished. */
    private static Set<TableId> keysDeferred(MigrationResources resources) {
        try {
            return DeferredDdl.pending(resources.target(), resources.plan().name(), EnumSet.of(DdlPhase.KEY)).stream()
                    .map(DeferredDdl.Entry::table).collect(Collectors.toSet());
        }
        catch (SQLException e) {
            throw new IllegalStateException("reading livemigrate.deferred_ddl on the target: " + e.getMessage(), e);
        }
    }

    @Override
    public void write(Chunk<? extends KeySlice> chunk) throws Exception {
        for (KeySlice slice : chunk) {
            throttle.awaitGo();
            long rows = TransientErrors.retry(attempt -> copy(slice, attempt));
            throttle.account(rows);
            progress.copied(slice.table().id(), rows);
            metrics.rowsCopied(slice.table().id().toString(), rows);
            stepExecution.getExecutionContext().putLong(ROWS_KEY,
                    stepExecution.getExecutionContext().getLong(ROWS_KEY, 0L) + rows);
        }
    }

    private long copy(KeySlice slice, int attempt) throws SQLException {
        TableId targetTable = resources.plan().targetTable(slice.table().id());
        TargetRange range = attempt == 1 && keysDeferred.contains(targetTable) ? TargetRange.EMPTY : TargetRange.REPLACE;
        try (Connection source = resources.source().getConnection();
             Connection target = resources.target().getConnection()) {
            source.setAutoCommit(false);
            target.setAutoCommit(false);
            try {
                long rows = resources.engine().copyRange(source, target, slice.table(), targetTable, slice.lower(),
                        slice.upper(), range);
                target.commit();
                source.commit();
                return rows;
            }
            catch (SQLException | RuntimeException e) {
                rollbackQuietly(target, e);
                rollbackQuietly(source, e);
                throw e;
            }
        }
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        }
        catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }
}
