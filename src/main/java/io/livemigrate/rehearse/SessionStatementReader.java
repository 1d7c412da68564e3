package io.livemigrate.rehearse;

import io.livemigrate.engine.LoggedStatement;
import io.livemigrate.engine.RehearsalDialect;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamException;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

import java.io.IOException;
import java.util.function.Supplier;

/**
 * The statements of one partition's sessions, in log order, each classified and carrying its session's settings.
 * Entries of livemigrate's own sessions and of other databases than the plan's source are not the application's and
 * are passed over. Restartable: the execution context holds how many items this partition has handed out; a restart
 * reads the log again from its start (rebuilding every session's settings on the way) and hands out the rest.
 *
 * <p>A requested stop ends the partition's input at the next statement, wherever the reader is in the log; opened with
 * the stop requested (the report run after a stopped follow), it reads no log and hands out nothing. A later run of
 * the same rehearsal goes on after the last statement handed out.
 */
class SessionStatementReader implements ItemStreamReader<ReplayItem> {

    static final String READ_KEY = "rehearse.read";

    private final Supplier<StatementLog> logSource;
    private StatementLog log;
    private final RehearsalDialect dialect;
    private final String database;
    private final int index;
    private final int count;
    private final double sample;
    private final boolean follow;
    private final RehearsalStop stop;
    private final StatementClassifier classifier = new StatementClassifier();
    private final SessionSettings settings = new SessionSettings();
    private LogCursor cursor;
    private long handedOut;

    /**
     * @param log      opens the log (and checks it is the manager's) when the partition opens, so a wrong log fails
     *                 the partition with its message
     * @param database the source database; entries that name another are passed over (null: keep all)
     * @param sample   the fraction of replayable statements replayed, 0 < sample <= 1, chosen by log position so
     *                 a restart picks the same ones
     */
    SessionStatementReader(Supplier<StatementLog> log, RehearsalDialect dialect, String database, int index, int count,
                           double sample, boolean follow, RehearsalStop stop) {
        this.logSource = log;
        this.dialect = dialect;
        this.database = database;
        this.index = index;
        this.count = count;
        this.sample = sample;
        this.follow = follow;
        this.stop = stop;
    }

    @Override
    public void open(ExecutionContext ctx) {
        long skip = ctx.getLong(READ_KEY, 0L);
        handedOut = skip;
        if (stop.requested()) {
            return; // the report run after a stopped follow: nothing to read, so nothing to check
        }
        log = logSource.get();
        cursor = new LogCursor(log, follow, stop);
        try {
            for (long i = 0; i < skip; i++) {
                if (next() == null) {
                    if (stop.requested()) {
                        return; // read() ends at once; the count stays what was handed out
                    }
                    throw new ItemStreamException("the statement log " + log.path() + " holds fewer statements than"
                            + " this rehearsal already replayed (" + skip + "): was it replaced? Start a new rehearsal");
                }
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ItemStreamException("interrupted", e);
        }
    }

    @Override
    public ReplayItem read() throws Exception {
        if (cursor == null) {
            return null;
        }
        ReplayItem item = next();
        if (item != null) {
            handedOut++;
        }
        return item;
    }

    /** The partition's next statement; null at the end of the log or once a stop is requested. */
    private ReplayItem next() throws InterruptedException {
        while (true) {
            if (stop.requested()) {
                return null;
            }
            LogCursor.Numbered n = cursor.next();
            if (n == null) {
                return null;
            }
            LoggedStatement s = n.statement();
            if (dialect.fromLivemigrate(s) || database != null && s.database() != null
                    && !s.database().equals(database)) {
                continue;
            }
            if (!SessionPartitioner.mine(s.session(), index, count)) {
                continue;
            }
            Classification c = classifier.classify(s.sql());
            if (c.action() == Classification.Action.SETTING) {
                settings.record(s.session(), s.sql());
            }
            return new ReplayItem(n.ordinal(), s, c, settings.of(s.session()), sampled(n.ordinal()));
        }
    }

    /** Whether the statement at {@code ordinal} is in the sample: a fixed hash of its position, not a random draw. */
    private boolean sampled(long ordinal) {
        if (sample >= 1) {
            return true;
        }
        long h = ordinal * 0x9E3779B97F4A7C15L;
        h ^= h >>> 32;
        return Math.floorMod(h, 10_000L) < Math.round(sample * 10_000);
    }

    @Override
    public void update(ExecutionContext ctx) {
        ctx.putLong(READ_KEY, handedOut);
    }

    @Override
    public void close() {
        if (cursor != null) {
            try {
                cursor.close();
            }
            catch (IOException ignored) {
                // nothing to keep
            }
        }
    }
}
