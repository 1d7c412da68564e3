package io.livemigrate.catchup;

import io.livemigrate.engine.ChangeEvent;
import io.livemigrate.engine.ChangeStream;
import io.livemigrate.ops.MigrationMetrics;
import io.livemigrate.copy.BuildIndexesTasklet;
import io.livemigrate.copy.CapturePositionTasklet;
import io.livemigrate.copy.CopyJobConfiguration;
import io.livemigrate.core.MigrationResources;
import io.livemigrate.schema.StateTables;
import io.livemigrate.core.MigrationTables;
import io.livemigrate.core.ResumableJobRunner;
import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The catch-up loop: reads source transactions from the change stream and applies them to the target, many source
 * transactions per target transaction when behind (bounded by {@link #MAX_ROWS} rows and {@link #MAX_MILLIS} ms, or
 * {@link #LIVE_MAX_MILLIS} ms while the source transactions it holds are recent),
 * never part of one. Each call of {@link #execute} runs about two seconds, so the job repository's step context
 * (position, counts, lag) is saved that often, not per transaction; the stream and target connection stay open across
 * calls and close when the step ends.
 *
 * <p>Ends: a stop request (the {@code stop} command sets the execution STOPPING; SIGTERM sets the
 * {@link CatchupControl} flag) is noticed within half a second; the current source transaction is finished and the
 * target committed, then the step ends STOPPED and the next run resumes. With {@code --until-caught-up} it ends the
 * same way once caught up. A {@link ChangeEvent.Stop} rolls back the open target transaction and fails the step
 * with its message.
 */
public class CatchupTasklet implements Tasklet, StepExecutionListener {

    public static final String POSITION = "catchup.position";
    public static final String EVENTS = "catchup.events";
    public static final String TRANSACTIONS = "catchup.transactions";
    public static final String LAG = "catchup.lag.seconds";
    public static final String BYTES_BEHIND = "catchup.bytes.behind";
    private static final long ACK_INTERVAL_NANOS = 1_000_000_000L;
    private static final long IDLE_COMMIT_NANOS = 20_000_000L;
    /** How often an idle stream's position is recorded and confirmed (a subscription's status interval). */
    private static final long IDLE_ADVANCE_NANOS = 10_000_000_000L;
    public static final String COMMIT_TIME = "catchup.commit.time";

    static final int MAX_ROWS = 20_000;
    static final long MAX_MILLIS = 500;
    /**
     * A target transaction's span while it holds source transactions committed less than {@link #LIVE_LAG_MILLIS}
     * ago: catch-up is keeping up with a live source, and a change waits for the target commit, so the span is lag
     * and must stay well under the lag a cutover accepts. A draining backlog keeps
     * {@link #MAX_MILLIS} and the fewer commits.
     */
    static final long LIVE_MAX_MILLIS = 100;
    /**
     * Source commits younger than this make a target transaction live. Two seconds rather than one: binlog event
     * times have whole seconds only, so a commit 0.9 s old can read as 1.9 s.
     */
    private static final long LIVE_LAG_MILLIS = 2_000;
    private static final long CHUNK_MILLIS = 2_000;
    private static final long CHECK_MILLIS = 500;
    /**
     * With {@code --until-caught-up} and the stream quiet, checks come this often: "caught up" needs two checks with
     * nothing behind, which at the normal interval kept a drained catch-up waiting a second for nothing.
     */
    private static final long IDLE_CHECK_MILLIS = 50;
    private static final Logger log = LoggerFactory.getLogger(CatchupTasklet.class);

    private final MigrationResources resources;
    private final MigrationTables tables;
    private final CatchupControl control;
    private final CatchupProgress progress;
    private final JobRepository jobRepository;
    private final JdbcTemplate repository;

    private ChangeStream stream;
    private ChangeApplier applier;
    private DeferredConstraints constraints;
    private boolean inTransaction;
    private int pendingTransactions;
    private long targetTransactionStart;
    private ChangePosition pendingPosition;
    private Instant pendingCommitTime;
    private ChangePosition appliedPosition;
    private Instant appliedCommitTime;
    private long events;
    private long eventsPublished;
    private long transactions;
    private long bytesBehind = -1;
    private long nextCheck;
    private long lastAcknowledged = System.nanoTime();
    private long lastAdvanced = System.nanoTime();
    private long idleSince = -1;
    private int idleChecks;
    private boolean stopping;
    private boolean markPending;

    public CatchupTasklet(MigrationResources resources, MigrationTables tables, CatchupControl control,
                          CatchupProgress progress, JobRepository jobRepository, DataSource repositoryDataSource) {
        this.resources = resources;
        this.tables = tables;
        this.control = control;
        this.progress = progress;
        this.jobRepository = jobRepository;
        this.repository = new JdbcTemplate(repositoryDataSource);
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        StepExecution step = chunkContext.getStepContext().getStepExecution();
        if (stream == null) {
            open(step);
        }
        long chunkEnd = System.nanoTime() + CHUNK_MILLIS * 1_000_000;
        long eventsAtStart = events;
        try {
            while (true) {
                long now = System.nanoTime();
                if (now >= nextCheck) {
                    check(step);
                    boolean awaitingCaughtUp = control.untilCaughtUp() && idleSince >= 0;
                    nextCheck = now + (awaitingCaughtUp ? IDLE_CHECK_MILLIS : CHECK_MILLIS) * 1_000_000;
                }
                if (!inTransaction && (stopping || caughtUp())) {
                    commitPending();
                    advanceIdle(now);
                    if (!stopping && constraints.due(appliedPosition)) {
                        // Caught up past the copy's end: build what the copy deferred before saying so.
                        report(step);
                        closeStreamAndApplier();
                        return RepeatStatus.CONTINUABLE;
                    }
                    if (!stopping) {
                        control.caughtUp();
                        log.info("caught up at {} (lag under {})", appliedPosition, control.maxLag());
                    }
                    report(step);
                    step.setTerminateOnly();
                    return RepeatStatus.CONTINUABLE;
                }
                ChangeEvent event = stream.poll(Duration.ofMillis(inTransaction || pendingTransactions > 0 ? 2 : 100));
                if (event == null) {
                    if (idleSince < 0) {
                        idleSince = now;
                        idleChecks = 0;
                    }
                    // A gap of a few milliseconds is the source decoding more, not an idle source: committing (and
                    // making durable) on every such gap cost a target round trip per source transaction while a
                    // backlog drained. Commit once the stream has been quiet for IDLE_COMMIT_NANOS.
                    if (now - idleSince >= IDLE_COMMIT_NANOS) {
                        commitPending();
                        if (now - lastAdvanced >= IDLE_ADVANCE_NANOS) {
                            advanceIdle(now);
                        }
                    }
                }
                else {
                    idleSince = -1;
                    handle(event);
                }
                if (pendingTransactions > 0 && !inTransaction && (applier.uncommittedChanges() >= MAX_ROWS
                        || targetTransactionEnded(System.nanoTime() - targetTransactionStart, pendingCommitTime,
                        Clock.systemUTC()))) {
                    commitPending();
                }
                if (pendingTransactions == 0 && !inTransaction && constraints.due(appliedPosition)) {
                    // Past the copy's end: the next open builds the deferred constraints, then describes the target
                    // tables again, so the applier knows the unique keys they now have.
                    report(step);
                    closeStreamAndApplier();
                    return RepeatStatus.CONTINUABLE;
                }
                if (System.nanoTime() >= chunkEnd) {
                    report(step);
                    return RepeatStatus.CONTINUABLE;
                }
            }
        }
        finally {
            contribution.incrementWriteCount(events - eventsAtStart);
        }
    }

    private void handle(ChangeEvent event) throws SQLException {
        if (event instanceof ChangeEvent.Begin) {
            if (pendingTransactions == 0) {
                targetTransactionStart = System.nanoTime();
            }
            applier.markSourceTransaction();
            inTransaction = true;
        }
        else if (event instanceof ChangeEvent.Change c) {
            applier.apply(c.change());
            events++;
        }
        else if (event instanceof ChangeEvent.Commit c) {
            inTransaction = false;
            pendingTransactions++;
            pendingPosition = c.position();
            pendingCommitTime = c.commitTime();
            transactions++;
            if (c.mark()) {
                // a cutover's drain waits for this position with the application's writes held: apply it now
                markPending = true;
                commitPending();
            }
        }
        else if (event instanceof ChangeEvent.Stop s) {
            // Never commit part of a source transaction: undo the open one, commit the complete ones before it, so
            // the next run resumes exactly at the transaction that stopped (e.g. the first one after a DDL).
            if (inTransaction && !applier.rollbackToMark()) {
                pendingTransactions = 0;
            }
            inTransaction = false;
            commitPending();
            throw new CatchupStoppedException(s.message());
        }
    }

    /**
     * Whether a target transaction open this long, holding source commits up to {@code newestCommit}, is to end. Asked
     * after every source transaction; the clock is read only once the live span has passed.
     */
    static boolean targetTransactionEnded(long openNanos, Instant newestCommit, Clock clock) {
        if (openNanos < LIVE_MAX_MILLIS * 1_000_000) {
            return false;
        }
        return openNanos >= MAX_MILLIS * 1_000_000
                || newestCommit != null && Duration.between(newestCommit, clock.instant()).toMillis() < LIVE_LAG_MILLIS;
    }

    private void commitPending() throws SQLException {
        if (pendingTransactions == 0) {
            return;
        }
        // While a backlog drains, target commits may be asynchronous; at most once a second (and whenever the
        // stream is idle or stopping) one is made durable, and only a durable commit is acknowledged.
        long now = System.nanoTime();
        boolean durable = stopping || idleSince >= 0 || markPending || now - lastAcknowledged >= ACK_INTERVAL_NANOS;
        markPending = false;
        applier.commit(pendingPosition, pendingCommitTime, durable);
        if (durable) {
            // Only now may the source release what the target holds (docs/design.md, rule 4).
            stream.acknowledge(pendingPosition);
            lastAcknowledged = now;
        }
        appliedPosition = pendingPosition;
        appliedCommitTime = pendingCommitTime;
        pendingTransactions = 0;
        publishProgress();
    }

    /**
     * With everything received applied and committed, records the stream's idle position on the target and then
     * confirms it to the source (docs/design.md, rule 4 holds: the target has it first), so a quiet plan on a busy server
     * neither holds the server's log nor decodes it again after a restart.
     */
    private void advanceIdle(long now) throws SQLException {
        lastAdvanced = now;
        if (inTransaction || pendingTransactions > 0) {
            return;
        }
        Optional<ChangePosition> idle = stream.idlePosition();
        if (idle.isPresent()) {
            applier.advance(idle.get());
            stream.acknowledge(idle.get());
            lastAcknowledged = now;
            appliedPosition = idle.get();
            publishProgress();
        }
    }

    /** Every half second: stop requests, bytes behind, progress. */
    private void check(StepExecution step) throws SQLException {
        if (control.stopRequested() || "STOPPING".equals(repositoryStatus(step))) {
            if (!stopping) {
                log.info("stop requested: finishing the current source transaction");
            }
            stopping = true;
        }
        bytesBehind = stream.bytesBehind();
        if (idleSince >= 0) {
            idleChecks++;
        }
        publishProgress();
    }

    private String repositoryStatus(StepExecution step) {
        try {
            return repository.queryForObject("SELECT STATUS FROM BATCH_JOB_EXECUTION WHERE JOB_EXECUTION_ID = ?",
                    String.class, step.getJobExecutionId());
        }
        catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Idle for two checks with nothing behind (everything the source committed before the previous check has
     * arrived and is applied), or, while changes flow, the last applied transaction committed less than
     * {@code --max-lag} ago.
     */
    private boolean caughtUp() {
        if (!control.untilCaughtUp()) {
            return false;
        }
        if (idleSince >= 0 && idleChecks >= 2 && bytesBehind == 0) {
            return true;
        }
        double lag = lagSeconds();
        return lag >= 0 && appliedCommitTime != null && lag * 1000 < control.maxLag().toMillis() && idleSince < 0;
    }

    /** 0 when idle with everything applied; else seconds since the last applied transaction committed on the source. */
    private double lagSeconds() {
        if (idleSince >= 0 && pendingTransactions == 0 && !inTransaction && bytesBehind == 0) {
            return 0;
        }
        if (appliedCommitTime == null) {
            return -1;
        }
        return Math.max(0, Duration.between(appliedCommitTime, Instant.now()).toNanos() / 1e9);
    }

    private void publishProgress() {
        progress.update(events, transactions, lagSeconds(), bytesBehind,
                appliedPosition == null ? null : appliedPosition.serialize(), appliedCommitTime);
        MigrationMetrics.global().changesApplied(events - eventsPublished);
        eventsPublished = events;
        MigrationMetrics.global().catchupLag(Duration.ofMillis(Math.round(lagSeconds() * 1000)));
    }

    private void report(StepExecution step) {
        ExecutionContext ctx = step.getExecutionContext();
        if (appliedPosition != null) {
            ctx.putString(POSITION, appliedPosition.serialize());
        }
        if (appliedCommitTime != null) {
            ctx.putString(COMMIT_TIME, appliedCommitTime.toString());
        }
        ctx.putLong(EVENTS, events);
        ctx.putLong(TRANSACTIONS, transactions);
        ctx.putDouble(LAG, Math.round(lagSeconds() * 1000) / 1000.0);
        ctx.putLong(BYTES_BEHIND, bytesBehind);
        publishProgress();
    }

    private void open(StepExecution step) throws SQLException {
        ExecutionContext ctx = step.getExecutionContext();
        events = ctx.getLong(EVENTS, 0L);
        transactions = ctx.getLong(TRANSACTIONS, 0L);
        Map<TableId, TableInfo> targetShaped = new LinkedHashMap<>();
        Map<TableId, TableId> targetIds = new LinkedHashMap<>();
        Connection target = resources.target().getConnection();
        try {
            for (TableId id : tables.ids()) {
                TableInfo source = resources.sourceTable(id);
                TableId targetId = resources.plan().targetTable(id);
                TableInfo t = describeTarget(target, id, targetId);
                if (!source.hasKey() || !t.hasKey()) {
                    throw new CatchupStoppedException("table " + id + " has no usable key (primary key or non-null "
                            + "unique key) on the " + (source.hasKey() ? "target" : "source") + ", so its changes cannot "
                            + "be applied by key: add one on both sides, then run catchup again");
                }
                targetShaped.put(id, t);
                targetIds.put(id, targetId);
            }
            target.setAutoCommit(true);
            StateTables.ensure(target, resources.engine());
            Optional<ChangePosition> applied = CatchupState.read(target, resources.plan().name());
            ChangePosition start = applied.isPresent() ? applied.get() : copyStartPosition();
            if (applied.isEmpty()) {
                // The first run records where it starts at once, not at its first commit: ops (and the cutover)
                // can see that catch-up has taken over from the copy even while the source is quiet.
                CatchupState.write(target, resources.plan().name(), start, null);
            }
            appliedPosition = start;
            if (constraints == null) {
                constraints = DeferredConstraints.load(resources,
                        () -> copyPosition(BuildIndexesTasklet.COPY_END_KEY, false));
            }
            if (constraints.due(start)) {
                constraints.build(targetIds);
                targetShaped.replaceAll((id, shaped) -> describeTarget(target, id, targetIds.get(id)));
            }
            log.info("1/2 catch-up starts at {} ({})", start, applied.isPresent()
                    ? "the position the target last committed" : "the position the copy recorded");
            applier = new ChangeApplier(resources.engine(), resources.source(), target, resources.plan().name(),
                    targetShaped, targetIds);
        }
        catch (SQLException | RuntimeException e) {
            target.close();
            throw e;
        }
        stream = resources.engine().openChangeStream(resources.plan().source(), appliedPosition,
                List.copyOf(targetShaped.values()), resources.plan().captureName());
        progress.streaming(events, transactions);
        log.info("2/2 streaming changes of {} table(s)", targetShaped.size());
    }

    /** The target table as it is now, named as the source table: what the applier can apply. */
    private TableInfo describeTarget(Connection target, TableId id, TableId targetId) {
        try {
            TableInfo t = resources.engine().describe(target, targetId).orElseThrow(() -> new CatchupStoppedException(
                    "table " + targetId + " does not exist on the target: run copy first"));
            return new TableInfo(id, t.columns(), t.keyColumns(), t.keyName(), t.estimatedRows(), t.estimatedBytes(),
                    t.partitioned());
        }
        catch (SQLException e) {
            throw new IllegalStateException("describing " + targetId + " on the target: " + e.getMessage(), e);
        }
    }

    /** Where the copy started change capture: its job execution context (or its first step's), once it completed. */
    private ChangePosition copyStartPosition() {
        return copyPosition(CapturePositionTasklet.POSITION_KEY, true);
    }

    /**
     * A position the completed copy recorded under {@code key} in its job execution context (or its steps'); null
     * when it recorded none and {@code required} is false.
     */
    private ChangePosition copyPosition(String key, boolean required) {
        JobInstance copy = jobRepository.getJobInstance(CopyJobConfiguration.JOB_NAME,
                ResumableJobRunner.parameters(resources.plan().name()));
        JobExecution last = copy == null ? null : jobRepository.getLastJobExecution(copy);
        if (last == null || last.getStatus() != BatchStatus.COMPLETED) {
            throw new CatchupStoppedException("the copy of plan " + resources.plan().name() + " has not completed"
                    + (last == null ? "" : " (it is " + last.getStatus() + ")") + ": run copy until it completes,"
                    + " then catchup");
        }
        String position = last.getExecutionContext().getString(key, null);
        if (position == null) {
            var stepExecution = jobRepository.getLastStepExecution(copy,
                    required ? "capture-position" : "build-indexes");
            position = stepExecution == null ? null : stepExecution.getExecutionContext().getString(key, null);
        }
        if (position == null && required) {
            throw new CatchupStoppedException("the copy recorded no change-capture position; run copy again");
        }
        return position == null ? null : ChangePosition.parse(position);
    }

    private void closeStreamAndApplier() {
        try {
            if (applier != null) {
                applier.close();
            }
        }
        catch (SQLException e) {
            log.warn("closing the target connection: {}", e.getMessage());
        }
        try {
            if (stream != null) {
                stream.close();
            }
        }
        catch (SQLException e) {
            log.warn("closing the change stream: {}", e.getMessage());
        }
        stream = null;
        applier = null;
    }

    /**
     * A restarted step starts with the context its last run left (Spring Batch copies it), lag included: until this
     * run has measured its own, the lag is unknown, or the cutover's preconditions and {@code status} would read the
     * lag of a run that has ended.
     */
    @Override
    public void beforeStep(StepExecution stepExecution) {
        ExecutionContext ctx = stepExecution.getExecutionContext();
        if (ctx.containsKey(LAG)) {
            ctx.putDouble(LAG, -1);
            ctx.putLong(BYTES_BEHIND, -1);
            jobRepository.updateExecutionContext(stepExecution);
        }
    }

    @Override
    public ExitStatus afterStep(StepExecution stepExecution) {
        report(stepExecution);
        closeStreamAndApplier();
        if (control.isCaughtUp()) {
            return new ExitStatus("CAUGHT_UP", "lag under " + control.maxLag());
        }
        return null;
    }
}
