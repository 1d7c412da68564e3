package io.livemigrate.engine.mysql;

import com.github.shyiko.mysql.binlog.event.DeleteRowsEventData;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventHeaderV4;
import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.GtidEventData;
import com.github.shyiko.mysql.binlog.event.MariadbGtidEventData;
import com.github.shyiko.mysql.binlog.event.QueryEventData;
import com.github.shyiko.mysql.binlog.event.RotateEventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.UpdateRowsEventData;
import com.github.shyiko.mysql.binlog.event.WriteRowsEventData;
import io.livemigrate.engine.ChangeEvent;
import io.livemigrate.engine.ColumnValue;
import io.livemigrate.engine.RowChange;
import io.livemigrate.engine.TableId;

import java.io.Serializable;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Binlog events to {@link ChangeEvent}s, on the connector's listener thread. A source transaction becomes Begin,
 * its row changes as they arrive (never buffered whole), Commit with the position after its XID/COMMIT event.
 * Transactions that touch no migrated table are dropped, except that one is passed on (as Begin/Commit) when the
 * reader is idle or a second has gone by, so the applied position and lag keep moving on a quiet plan.
 */
final class MySqlBinlogTranslator {

    interface Sink {
        void emit(ChangeEvent event);

        /** Nothing is waiting for the reader. */
        boolean idle();
    }

    private static final long EMPTY_COMMIT_INTERVAL_MS = 1000;

    private final MySqlBinlogPosition position;
    private final Map<String, MySqlRowDecoder> decoders;
    private final Set<TableId> migrated;
    private final Sink sink;
    private final Map<Long, MySqlRowDecoder> byTableId = new HashMap<>();

    private boolean inTransaction;
    private boolean beginEmitted;
    private Instant beginTime = Instant.EPOCH;
    private String pendingGtid;
    private long lastCommitEmittedMs;
    private boolean stopped;

    MySqlBinlogTranslator(MySqlBinlogPosition position, Map<String, MySqlRowDecoder> decoders, Sink sink) {
        this.position = position;
        this.decoders = decoders;
        this.sink = sink;
        this.migrated = decoders.values().stream().map(d -> d.table().id())
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    boolean stopped() {
        return stopped;
    }

    /** Between transactions: the position is a safe resume point. */
    boolean betweenTransactions() {
        return !inTransaction;
    }

    MySqlBinlogPosition position() {
        return position;
    }

    void stop(String message) {
        if (!stopped) {
            stopped = true;
            sink.emit(new ChangeEvent.Stop(message));
        }
    }

    void onEvent(Event event) {
        if (stopped) {
            return;
        }
        EventHeaderV4 header = event.getHeader();
        EventType type = header.getEventType();
        Instant time = Instant.ofEpochMilli(header.getTimestamp());
        switch (type) {
            case ROTATE -> {
                RotateEventData r = event.getData();
                position.moveTo(r.getBinlogFilename(), r.getBinlogPosition());
                return;
            }
            case MARIADB_GTID -> {
                MariadbGtidEventData g = event.getData();
                // the event body has no server id: it is the header's
                pendingGtid = g.getDomainId() + "-" + header.getServerId() + "-" + g.getSequence();
                if ((g.getFlags() & MariadbGtidEventData.FL_STANDALONE) == 0) {
                    begin(time);
                }
            }
            case GTID -> pendingGtid = ((GtidEventData) event.getData()).getGtid();
            case TABLE_MAP -> {
                TableMapEventData m = event.getData();
                byTableId.put(m.getTableId(), decoders.get(m.getDatabase() + "." + m.getTable()));
                markInTransaction |= OWN_DATABASE.equals(m.getDatabase()) && MySqlMark.MARKER_TABLE.equals(m.getTable());
                if (OWN_DATABASE.equals(m.getDatabase()) && OWN_STATE_TABLES.contains(m.getTable())) {
                    ownStateTableMaps++;
                }
                else {
                    otherTableMaps++;
                }
            }
            case WRITE_ROWS, EXT_WRITE_ROWS, PRE_GA_WRITE_ROWS -> {
                WriteRowsEventData d = event.getData();
                MySqlRowDecoder decoder = byTableId.get(d.getTableId());
                if (decoder != null && !partial(decoder, d.getRows())) {
                    for (Serializable[] row : d.getRows()) {
                        change(time, new RowChange(decoder.table().id(), RowChange.Kind.INSERT, null,
                                image(decoder, row)));
                    }
                }
            }
            case UPDATE_ROWS, EXT_UPDATE_ROWS, PRE_GA_UPDATE_ROWS -> {
                UpdateRowsEventData d = event.getData();
                MySqlRowDecoder decoder = byTableId.get(d.getTableId());
                if (decoder != null && !partial(decoder, d.getRows().stream()
                        .flatMap(r -> java.util.stream.Stream.of(r.getKey(), r.getValue())).toList())) {
                    for (Map.Entry<Serializable[], Serializable[]> row : d.getRows()) {
                        change(time, new RowChange(decoder.table().id(), RowChange.Kind.UPDATE,
                                image(decoder, row.getKey()), image(decoder, row.getValue())));
                    }
                }
            }
            case DELETE_ROWS, EXT_DELETE_ROWS, PRE_GA_DELETE_ROWS -> {
                DeleteRowsEventData d = event.getData();
                MySqlRowDecoder decoder = byTableId.get(d.getTableId());
                if (decoder != null && !partial(decoder, d.getRows())) {
                    for (Serializable[] row : d.getRows()) {
                        change(time, new RowChange(decoder.table().id(), RowChange.Kind.DELETE,
                                image(decoder, row), null));
                    }
                }
            }
            case PARTIAL_UPDATE_ROWS_EVENT -> {
                MySqlRowsDeserializers.PartialUpdateRows d = event.getData();
                MySqlRowDecoder decoder = d == null ? null : byTableId.get(d.tableId());
                if (decoder != null) {
                    stop("MySQL logged a partial JSON update of " + decoder.table().id() + " at " + position.file()
                            + ":" + position.pos() + " (binlog_row_value_options=PARTIAL_JSON): the changed "
                            + "JSON paths only, not whole values, which catch-up cannot apply. Every change before "
                            + "its transaction has been applied. SET GLOBAL binlog_row_value_options='' (and in the "
                            + "server config, and make sure no session sets it), then re-run the copy of "
                            + decoder.table().id());
                    return;
                }
            }
            case XID -> {
                position.advance(header.getNextPosition());
                commit(time);
                return;
            }
            case QUERY -> {
                if (query(event.getData(), header, time)) {
                    return;
                }
            }
            case HEARTBEAT -> {
                return; // says where the server is, not what we have read
            }
            case TRANSACTION_PAYLOAD -> {
                stop("the source compresses its binlog (binlog_transaction_compression=ON), which livemigrate "
                        + "cannot decode exactly; set binlog_transaction_compression=OFF on the source, then re-run "
                        + "the copy (changes since " + position + " are compressed)");
                return;
            }
            default -> {
                // FORMAT_DESCRIPTION, ANNOTATE_ROWS, ROWS_QUERY, heartbeats, checkpoints: nothing to apply
            }
        }
        position.advance(header.getNextPosition());
    }

    /** @return true when it advanced the position itself */
    private boolean query(QueryEventData q, EventHeaderV4 header, Instant time) {
        String sql = q.getSql().trim();
        if (sql.equalsIgnoreCase("BEGIN")) {
            begin(time);
            return false;
        }
        if (sql.equalsIgnoreCase("COMMIT") || sql.equalsIgnoreCase("ROLLBACK")) {
            // ROLLBACK is logged only for non-transactional changes that stay: apply them too
            position.advance(header.getNextPosition());
            commit(time);
            return true;
        }
        MySqlStatementScan.Result scan = MySqlStatementScan.scan(sql, q.getDatabase(), migrated);
        if (scan.migratedTables().isEmpty()) {
            if (!inTransaction) {
                position.advance(header.getNextPosition());
                addPendingGtid();
                return true;
            }
            return false;
        }
        TableId table = scan.migratedTables().iterator().next();
        String at = position.file() + ":" + header.getPosition();
        String shown = sql.length() > 300 ? sql.substring(0, 300) + "..." : sql;
        if (scan.kind() == MySqlStatementScan.Kind.TRUNCATE && !inTransaction) {
            begin(time);
            for (TableId t : scan.migratedTables()) {
                change(time, new RowChange(t, RowChange.Kind.TRUNCATE, null, null));
            }
            position.advance(header.getNextPosition());
            commit(time);
            return true;
        }
        if (scan.kind() == MySqlStatementScan.Kind.DML) {
            stop("statement-based change to " + table + " in the binlog at " + at + ": " + shown + "; its rows "
                    + "are not in the binlog, so catch-up cannot apply it. Set binlog_format=ROW globally on the "
                    + "source (and make sure no session overrides it), then re-run the copy of " + table);
            return true;
        }
        MySqlBinlogPosition after = MySqlBinlogPosition.of(position.toChangePosition());
        after.advance(header.getNextPosition());
        if (pendingGtid != null) {
            if (after.mariaDb()) {
                after.addMariaDb(pendingGtid);
            } else {
                after.addMySql(pendingGtid);
            }
        }
        stop("DDL on " + table + " during catch-up (binlog " + at + "): " + shown + "; the target would drift. "
                + "Every change before this statement has been applied to the target. Apply the same change to "
                + "the target table yourself (and to the plan if it renames or drops the table), then resume "
                + "catch-up just after the statement, at " + after.toChangePosition()
                + "; or, if the change is not one you can repeat on the target, re-run the copy of " + table);
        return true;
    }

    private void addPendingGtid() {
        if (pendingGtid != null) {
            if (position.mariaDb()) {
                position.addMariaDb(pendingGtid);
            } else {
                position.addMySql(pendingGtid);
            }
            pendingGtid = null;
        }
    }

    /**
     * The database and tables of catch-up's own state on a target. Not the cutover's drain marker
     * ({@code livemigrate.cutover_marker}), written on the source: its transaction must come through as a
     * position-only commit, or an idle stream never reaches the fence position.
     */
    private static final String OWN_DATABASE = "livemigrate";
    private static final java.util.Set<String> OWN_STATE_TABLES = java.util.Set.of("catchup_state", "catchup_window",
            "changed_keys", "deferred_ddl");
    private int ownStateTableMaps;
    private int otherTableMaps;
    /** The open transaction writes the cutover's marker table ({@link MySqlMark}). */
    private boolean markInTransaction;

    private void begin(Instant time) {
        inTransaction = true;
        beginEmitted = false;
        beginTime = time;
        ownStateTableMaps = 0;
        otherTableMaps = 0;
        markInTransaction = false;
    }

    private void change(Instant time, RowChange change) {
        if (!inTransaction) {
            begin(time); // rows outside BEGIN/GTID: a non-transactional engine's statement; it ends with COMMIT
        }
        if (!beginEmitted) {
            sink.emit(new ChangeEvent.Begin(beginTime));
            beginEmitted = true;
        }
        sink.emit(new ChangeEvent.Change(change));
    }

    private void commit(Instant time) {
        addPendingGtid();
        long now = System.currentTimeMillis();
        // catch-up's own state writes, when the target shares this server (tests, one-server moves), must not come
        // back as position-only transactions: each would cause another state write, and the stream never goes idle.
        boolean ownStateOnly = ownStateTableMaps > 0 && otherTableMaps == 0;
        boolean emit = beginEmitted || markInTransaction || (!ownStateOnly
                && (sink.idle() || now - lastCommitEmittedMs >= EMPTY_COMMIT_INTERVAL_MS));
        if (emit) {
            if (!beginEmitted) {
                sink.emit(new ChangeEvent.Begin(beginTime));
            }
            sink.emit(new ChangeEvent.Commit(position.toChangePosition(), time, markInTransaction));
            lastCommitEmittedMs = now;
        }
        inTransaction = false;
        beginEmitted = false;
    }

    /**
     * Whether a row image of the event lacks a column (binlog_row_image MINIMAL or NOBLOB for the session that wrote
     * it): then catch-up stops; a missing column is never applied as NULL.
     */
    private boolean partial(MySqlRowDecoder decoder, List<Serializable[]> rows) {
        for (Serializable[] row : rows) {
            for (int i = 0; i < decoder.columnCount(); i++) {
                if (row[i] == MySqlRowDecoder.MISSING && !decoder.column(i).generated()) {
                    stop("the binlog row image of " + decoder.table().id() + " at " + position.file() + ":"
                            + position.pos() + " lacks column " + decoder.column(i).name() + ": the session "
                            + "that wrote it logged binlog_row_image=MINIMAL or NOBLOB, not FULL, and catch-up never "
                            + "applies a row it does not have whole. Every change before its transaction has been "
                            + "applied. SET GLOBAL binlog_row_image=FULL (and in the server config, and make sure no "
                            + "session or client sets it otherwise), then re-run the copy of "
                            + decoder.table().id());
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A row as column name to value, generated columns left out. Before images are whole too: foreign-key actions the
     * binlog does not carry are repeated from the parent's referenced columns, which need not be its key.
     */
    private static Map<String, ColumnValue> image(MySqlRowDecoder decoder, Serializable[] row) {
        Map<String, ColumnValue> image = new LinkedHashMap<>();
        for (int i = 0; i < decoder.columnCount(); i++) {
            MySqlRowDecoder.ColumnSpec c = decoder.column(i);
            if (!c.generated()) {
                image.put(c.name(), ColumnValue.of((String) row[i]));
            }
        }
        return image;
    }
}
