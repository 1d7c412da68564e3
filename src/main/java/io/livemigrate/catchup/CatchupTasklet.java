package io.livemigrate.catchup;

import io.livemigrate.engine.ChangeEvent;
import io.livemigrate.engine.ChangeStream;
import io.livemigrate.ops.MigrationMetrics;
import io.livemigrate.core.MigrationResources;
import io.livemigrate.schema.StateTables;
import io.livemigrate.core.MigrationTables;
import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.batch.core.ExitStatus;
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
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The catch-up loop's coordinator: reads source transactions from the change stream and hands them to an
 * {@link ApplyPipeline}: one {@link ChangeApplier} ({@link SerialApplyPipeline}, where {@link TargetTransactionPolicy}
 * decides when a target transaction ends and {@link PositionRecorder} commits the applied position on the target and
 * then acknowledges it to the source), or several in parallel ({@link ParallelApplyPipeline}); many source
 * transactions per target transaction when behind, never part of one. {@link CaughtUpDetector} says when the run ends
 * and what the lag is, {@link CatchupReporter} publishes progress. Each call of {@link #execute} runs about two
 * seconds, so the job repository's step context (position, counts, lag) is saved that often, not per transaction; the
 * stream and target connections stay open across calls and close when the step ends.
 *
 * <p>Ends: a stop request (the {@code stop} command sets the execution STOPPED, STOPPING before Spring Batch 6; SIGTERM sets the
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
    public static final String COMMIT_TIME = "catchup.commit.time";

    private static final long CHUNK_MILLIS = 2_000;
    private static final Logger log = LoggerFactory.getLogger(CatchupTasklet.class);

    /**
     * Tests only: wraps each change stream catch-up opens, to make on cue what a real server cannot be made to do
     * (a pause inside a source transaction). The identity otherwise.
     */
    static volatile UnaryOperator<ChangeStream> streamDecorator = UnaryOperator.identity();

    private final MigrationResources resources;
    private final MigrationTables tables;
    private final CatchupControl control;
    private final JobRepository jobRepository;
    private final JdbcTemplate repository;
    private final TargetTransactionPolicy policy = new TargetTransactionPolicy(Clock.systemUTC());
    private final CaughtUpDetector detector;
    private final PositionRecorder recorder = new PositionRecorder(System.nanoTime());
    private final CatchupReporter reporter;

    private ChangeStream stream;
    private ApplyPipeline pipeline;
    private DeferredConstraints constraints;
    /** What the last pipeline had applied when it closed: reported while none is open, carried into the next. */
    private ChangePosition lastApplied;
    private Instant lastCommitTime;

    public CatchupTasklet(MigrationResources resources, MigrationTables tables, CatchupControl control,
                          CatchupProgress progress, JobRepository jobRepository, DataSource repositoryDataSource) {
        this.resources = resources;
        this.tables = tables;
        this.control = control;
        this.jobRepository = jobRepository;
        this.repository = new JdbcTemplate(repositoryDataSource);
        this.detector = new CaughtUpDetector(control, Clock.systemUTC());
        this.reporter = new CatchupReporter(progress, MigrationMetrics.global());
    }

    @Override
    public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
        StepExecution step = chunkContext.getStepContext().getStepExecution();
        if (stream == null) {
            open(step);
        }
        long chunkEnd = System.nanoTime() + CHUNK_MILLIS * 1_000_000;
        long eventsAtStart = reporter.events();
        try {
            while (true) {
                long now = System.nanoTime();
                if (detector.checkDue(now)) {
                    check(step, now);
                }
                if (!pipeline.inTransaction()
                        && (detector.stopping() || detector.caughtUp(pipeline.appliedCommitTime()))) {
                    commitPending();
                    advanceIdle(now);
                    if (!detector.stopping() && constraints.due(pipeline.applied())) {
                        // Caught up past the copy's end: build what the copy deferred before saying so.
                        report(step);
                        closeStreamAndApplier();
                        return RepeatStatus.CONTINUABLE;
                    }
                    if (!detector.stopping()) {
                        control.caughtUp();
                        log.info("caught up at {} (lag under {})", pipeline.applied(), control.maxLag());
                    }
                    report(step);
                    step.setTerminateOnly();
                    return RepeatStatus.CONTINUABLE;
                }
                ChangeEvent event = stream.poll(TargetTransactionPolicy.pollTimeout(pipeline.holding()));
                detector.polled(event != null, now);
                if (event == null) {
                    if (TargetTransactionPolicy.quietLongEnough(detector.quietSince(), now)) {
                        // also inside a source transaction (a pause in the stream): the pipeline then commits
                        // nothing that holds its changes (ApplyPipeline.commitPending)
                        commitPending();
                        if (pipeline.advanceDue(now)) {
                            advanceIdle(now);
                        }
                    }
                }
                else {
                    handle(event);
                }
                if (pipeline.commitIfDue(durable(), System.nanoTime())) {
                    publishProgress();
                }
                if (!pipeline.inTransaction() && constraints.due(pipeline.applied())
                        && pipeline.readyToReopen(System.nanoTime())) {
                    // Past the copy's end: the next open builds the deferred constraints, then describes the target
                    // tables again, so the applier knows the unique keys they now have.
                    report(step);
                    closeStreamAndApplier();
                    return RepeatStatus.CONTINUABLE;
                }
                if (System.nanoTime() >= chunkEnd && !stopSeenAtChunkEnd(step)) {
                    report(step);
                    return RepeatStatus.CONTINUABLE;
                }
            }
        }
        finally {
            contribution.incrementWriteCount(reporter.events() - eventsAtStart);
        }
    }

    private void handle(ChangeEvent event) throws SQLException {
        if (event instanceof ChangeEvent.Stop s) {
            // Never commit part of a source transaction: undo the open one, commit the complete ones before it, so
            // the next run resumes exactly at the transaction that stopped (e.g. the first one after a DDL).
            pipeline.abandonTransaction();
            commitPending();
            throw new CatchupStoppedException(s.message());
        }
        if (event instanceof ChangeEvent.Commit) {
            reporter.transactionReceived();
        }
        if (pipeline.handle(event, durable(), System.nanoTime())) {
            publishProgress();
        }
        if (event instanceof ChangeEvent.Change) {
            reporter.changeApplied();
        }
    }

    /** Durable when the stream is quiet or stopping: nothing more is coming soon to carry the next durable commit. */
    private boolean durable() {
        return detector.stopping() || detector.quiet();
    }

    private void commitPending() throws SQLException {
        if (pipeline.commitPending(durable(), System.nanoTime())) {
            publishProgress();
        }
    }

    private void advanceIdle(long now) throws SQLException {
        if (pipeline.advanceIdle(now)) {
            publishProgress();
        }
    }

    /**
     * Looks for a stop once more before the chunk ends: Spring Batch reads the job's status from the repository after
     * every chunk and, finding it stopped, ends the step there, closing the target with the open source transaction
     * and the complete ones before it rolled back (safe, as nothing was acknowledged, but the documented stop
     * finishes them). Seen here, the loop goes on to its stopping branch instead.
     */
    private boolean stopSeenAtChunkEnd(StepExecution step) throws SQLException {
        if (!detector.stopping()) {
            check(step, System.nanoTime());
        }
        return detector.stopping();
    }

    /** Every half second: stop requests, bytes behind, progress. */
    private void check(StepExecution step, long now) throws SQLException {
        // Spring Batch 6's JobOperator.stop writes the execution STOPPED at once, while this step still runs
        String status = repositoryStatus(step);
        boolean stop = control.stopRequested() || "STOPPING".equals(status) || "STOPPED".equals(status);
        if (detector.checked(now, stop, stream.bytesBehind())) {
            log.info("stop requested: finishing the current source transaction");
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

    private CatchupReporter.Snapshot snapshot() {
        if (pipeline == null) {
            return new CatchupReporter.Snapshot(lastApplied, lastCommitTime, detector.lagSeconds(false, lastCommitTime),
                    detector.bytesBehind());
        }
        return new CatchupReporter.Snapshot(pipeline.applied(), pipeline.appliedCommitTime(),
                detector.lagSeconds(pipeline.holding(), pipeline.appliedCommitTime()), detector.bytesBehind());
    }

    private void publishProgress() {
        reporter.publish(snapshot());
    }

    private void report(StepExecution step) {
        reporter.report(step.getExecutionContext(), snapshot());
    }

    private void open(StepExecution step) throws SQLException {
        reporter.restore(step.getExecutionContext());
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
            ChangePosition start = applied.isPresent() ? applied.get() : copyPositions().start();
            if (applied.isEmpty()) {
                // The first run records where it starts at once, not at its first commit: ops (and the cutover)
                // can see that catch-up has taken over from the copy even while the source is quiet.
                CatchupState.write(target, resources.plan().name(), start, null);
            }
            recorder.startAt(start);
            if (constraints == null) {
                constraints = DeferredConstraints.load(resources, () -> copyPositions().end());
            }
            if (constraints.due(start)) {
                constraints.build(targetIds);
                targetShaped.replaceAll((id, shaped) -> describeTarget(target, id, targetIds.get(id)));
            }
            log.info("1/2 catch-up starts at {} ({})", start, applied.isPresent()
                    ? "the position the target last committed" : "the position the copy recorded");
            pipeline = openPipeline(target, start, targetShaped, targetIds);
        }
        catch (SQLException | RuntimeException e) {
            target.close();
            throw e;
        }
        stream = streamDecorator.apply(resources.engine().openChangeStream(resources.plan().source(),
                pipeline.applied(), List.copyOf(targetShaped.values()), resources.plan().captureName()));
        pipeline.attach(stream);
        reporter.streaming();
        log.info("2/2 streaming changes of {} table(s)", targetShaped.size());
    }

    /**
     * One apply connection ({@code catchup.apply-threads: 1}), or several (docs/design.md, "Parallel apply"). A run
     * after a parallel one that stopped with source transactions applied past its position goes the parallel way,
     * whatever the plan says, since only it knows which to skip.
     */
    private ApplyPipeline openPipeline(Connection target, ChangePosition start, Map<TableId, TableInfo> targetShaped,
                                       Map<TableId, TableId> targetIds) throws SQLException {
        int threads = resources.plan().catchup().applyThreads();
        java.util.BitSet appliedPast = AppliedWindow.appliedPast(target, resources.plan().name(), start);
        if (threads == 1 && appliedPast.isEmpty()) {
            return new SerialApplyPipeline(new ChangeApplier(resources.engine(), resources.source(), target,
                    resources.plan().name(), targetShaped, targetIds), recorder, policy);
        }
        if (!appliedPast.isEmpty()) {
            log.info("the last run applied {} source transaction(s) past {} in parallel before it ended: they are "
                    + "skipped", appliedPast.cardinality(), start);
        }
        return ParallelApplyPipeline.open(resources, target, targetShaped, targetIds, start, lastCommitTime,
                appliedPast, threads);
    }

    private CopyPositions copyPositions() {
        return new CopyPositions(jobRepository, resources.plan().name());
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

    private void closeStreamAndApplier() {
        try {
            if (pipeline != null) {
                lastApplied = pipeline.applied();
                lastCommitTime = pipeline.appliedCommitTime();
                pipeline.close();
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
        pipeline = null;
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
