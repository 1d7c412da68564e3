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
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryListener;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryState;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.core.retry.Retryable;
import org.springframework.dao.ConcurrencyFailureException;
import org.springframework.jdbc.support.SQLErrorCodeSQLExceptionTranslator;
import org.springframework.jdbc.support.SQLExceptionTranslator;
import org.springframework.util.backoff.BackOffExecution;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Copies each slice through the engine's bulk path in one target transaction that first deletes the slice's key
 * range (docs/design.md, rule 3). The target commits before the job repository records the chunk, so a crash between the
 * two makes the next run copy the slice again, which replaces the same rows: no duplicate, nothing missing.
 *
 * <p>The one exception: the first attempt at a slice of a table whose key index is still deferred
 * ({@link DeferredDdl}, {@link DdlPhase#KEY}) skips the delete, as nothing can be in that range yet: a restarted copy
 * builds such indexes before it copies again.
 *
 * <p>A slice that fails for a reason that goes away on its own is copied again, up to {@value #ATTEMPTS} attempts in
 * all, 50 ms &times; n&sup2; after the n-th: a deadlock or serialization failure chosen by the server, a lock wait
 * timeout. Spring's SQL error translation for the target's database decides which errors those are (a
 * {@link ConcurrencyFailureException}: SQLState class 40, PostgreSQL's 40P01 and 55P03, MySQL's 1213 and 1205). Safe
 * because each slice copy is idempotent (rule 3): the failed attempt rolled back, and a retry replaces the same key
 * range.
 */
public class SliceCopyWriter implements ItemWriter<KeySlice> {

    public static final String ROWS_KEY = "rows.copied";
    static final int ATTEMPTS = 5;
    private static final Logger log = LoggerFactory.getLogger(SliceCopyWriter.class);

    private final MigrationResources resources;
    private final CopyProgress progress;
    private final StepExecution stepExecution;
    private final Throttle throttle;
    private final MigrationMetrics metrics;
    private final Set<TableId> keysDeferred;
    private final RetryTemplate retry;

    public SliceCopyWriter(MigrationResources resources, CopyProgress progress, StepExecution stepExecution,
                           Throttle throttle, MigrationMetrics metrics) {
        this.resources = resources;
        this.progress = progress;
        this.stepExecution = stepExecution;
        this.throttle = throttle;
        this.metrics = metrics;
        this.keysDeferred = keysDeferred(resources);
        this.retry = transientRetry(new SQLErrorCodeSQLExceptionTranslator(resources.target()));
    }

    /** Retries the errors {@code translator} calls a concurrency failure; see the class comment. */
    static RetryTemplate transientRetry(SQLExceptionTranslator translator) {
        RetryTemplate template = new RetryTemplate(RetryPolicy.builder()
                .predicate(e -> e instanceof SQLException sql
                        && translator.translate("slice copy", null, sql) instanceof ConcurrencyFailureException)
                .backOff(() -> new BackOffExecution() {
                    private long attempt;

                    @Override
                    public long nextBackOff() {
                        attempt++;
                        return attempt < ATTEMPTS ? 50L * attempt * attempt : STOP;
                    }
                })
                .build());
        template.setRetryListener(new RetryListener() {
            @Override
            public void beforeRetry(RetryPolicy policy, Retryable<?> retryable, RetryState state) {
                SQLException e = (SQLException) state.getLastException();
                log.warn("transient error (SQLState {}, code {}), attempt {} of {}: retrying", e.getSQLState(),
                        e.getErrorCode(), state.getRetryCount(), ATTEMPTS);
            }
        });
        return template;
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
            long rows = copyRetryingTransientErrors(slice);
            throttle.account(rows);
            progress.copied(slice.table().id(), rows);
            metrics.rowsCopied(slice.table().id().toString(), rows);
            stepExecution.getExecutionContext().putLong(ROWS_KEY,
                    stepExecution.getExecutionContext().getLong(ROWS_KEY, 0L) + rows);
        }
    }

    private long copyRetryingTransientErrors(KeySlice slice) throws SQLException, InterruptedException {
        AtomicInteger attempt = new AtomicInteger();
        try {
            return retry.execute(() -> copy(slice, attempt.incrementAndGet()));
        }
        catch (RetryException e) {
            if (Thread.interrupted()) {
                InterruptedException interrupted = new InterruptedException("interrupted between attempts at a slice");
                interrupted.addSuppressed(e.getCause());
                throw interrupted;
            }
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw (Error) e.getCause();
        }
    }

    /** @param attempt 1 for the first try */
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
