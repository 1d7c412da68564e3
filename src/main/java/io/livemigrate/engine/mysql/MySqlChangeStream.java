package io.livemigrate.engine.mysql;

import com.github.shyiko.mysql.binlog.BinaryLogClient;
import io.livemigrate.engine.ChangeEvent;
import io.livemigrate.engine.BinlogPosition;
import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.ChangeStream;
import io.livemigrate.engine.Column;
import io.livemigrate.engine.Endpoint;
import io.livemigrate.engine.TableInfo;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The MySQL/MariaDB binlog as a {@link ChangeStream}, through mysql-binlog-connector-java.
 *
 * <ol>
 *   <li>Checks the source once: binlog on, ROW format, FULL row images, every table keyed, the start file still
 *       on the server; reads each column's character set. A failed check is a {@link ChangeEvent.Stop}.</li>
 *   <li>Connects as a replica with a random server id in the upper half of the range, from file/pos (GTIDs are
 *       tracked into every emitted position but not used to start: file/pos is exact on both flavors).</li>
 *   <li>The connector's thread decodes events ({@link MySqlRowsDeserializers}, {@link MySqlRowDecoder}) and
 *       translates them ({@link MySqlBinlogTranslator}) into a bounded queue; when the queue is full that thread
 *       waits, TCP pushes back on the server, and memory stays flat whatever the transaction size.</li>
 * </ol>
 * {@link #acknowledge} is bookkeeping only: the binlog is not released by a replica.
 */
public final class MySqlChangeStream implements ChangeStream {

    static final int QUEUE_CAPACITY = 8192;
    private static final Pattern HOST_PORT = Pattern.compile("^jdbc:(?:mysql|mariadb)://(\\[[^]]+]|[^:/?]+)(?::(\\d+))?");
    private static final List<String> STATUS_STATEMENTS =
            List.of("SHOW MASTER STATUS", "SHOW BINARY LOG STATUS", "SHOW BINLOG STATUS");

    private final BlockingQueue<ChangeEvent> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Connection admin;
    private final BinaryLogClient client;
    private final MySqlBinlogTranslator translator;
    private volatile boolean closed;
    private volatile Exception failure;
    private ChangeEvent.Stop stop;
    private volatile String readFile;
    private volatile long readPos;
    /** The position after the last whole transaction the reader has passed on or dropped (a snapshot, never torn). */
    private volatile ChangePosition readPosition;
    private ChangePosition idleReported;
    private String polledFile;
    private long polledPos = -1;
    private long statusCheckedAt;
    private long cachedBehind = -1;

    private MySqlChangeStream(Connection admin, BinaryLogClient client, MySqlBinlogTranslator translator,
                              ChangeEvent.Stop stop) {
        this.admin = admin;
        this.client = client;
        this.translator = translator;
        this.stop = stop;
    }

    public static MySqlChangeStream open(Endpoint source, ChangePosition from, List<TableInfo> tables)
            throws SQLException {
        MySqlBinlogPosition start = MySqlBinlogPosition.of(from);
        Properties props = new Properties();
        props.setProperty("user", source.user());
        props.setProperty("password", source.password().reveal());
        props.setProperty("connectTimeout", "10000");
        props.setProperty("characterEncoding", "UTF-8");
        props.setProperty("allowPublicKeyRetrieval", "true");
        Connection admin = DriverManager.getConnection(MySqlPools.connectorJUrl(source.url()), props);
        try {
            String problem = check(admin, start, tables);
            if (problem != null) {
                return new MySqlChangeStream(admin, null, null, new ChangeEvent.Stop(problem));
            }
            Map<String, MySqlRowDecoder> decoders = new HashMap<>();
            for (TableInfo t : tables) {
                List<Column> columns = new ArrayList<>();
                List<String> charsets = new ArrayList<>();
                sourceColumns(admin, t, columns, charsets);
                String mismatch = MySqlRowDecoder.mismatch(t, columns);
                if (mismatch != null) {
                    return new MySqlChangeStream(admin, null, null, new ChangeEvent.Stop(mismatch));
                }
                decoders.put(t.id().qualified(), new MySqlRowDecoder(t, columns, charsets));
            }
            Matcher m = HOST_PORT.matcher(source.url());
            if (!m.find()) {
                throw new SQLException("cannot read host and port from the source URL " + source.safeUrl());
            }
            String host = m.group(1).replace("[", "").replace("]", "");
            int port = m.group(2) == null ? 3306 : Integer.parseInt(m.group(2));
            BinaryLogClient client = new BinaryLogClient(host, port, source.user(), source.password().reveal());
            client.setServerId(0x40000000L + ThreadLocalRandom.current().nextInt(0x3FFFFFFF));
            client.setBinlogFilename(start.file());
            client.setBinlogPosition(start.pos());
            client.setKeepAlive(false); // a reconnect mid-transaction would lose the table maps; the job restarts
            client.setHeartbeatInterval(5_000);
            client.setEventDeserializer(MySqlRowsDeserializers.create(decoders));
            MySqlChangeStream[] self = new MySqlChangeStream[1];
            MySqlBinlogTranslator translator = new MySqlBinlogTranslator(start, decoders,
                    new MySqlBinlogTranslator.Sink() {
                        @Override
                        public void emit(ChangeEvent event) {
                            self[0].put(event);
                        }

                        @Override
                        public boolean idle() {
                            return self[0].queue.isEmpty();
                        }
                    });
            MySqlChangeStream stream = new MySqlChangeStream(admin, client, translator, null);
            self[0] = stream;
            stream.readFile = start.file();
            stream.readPos = start.pos();
            client.registerEventListener(event -> {
                translator.onEvent(event);
                MySqlBinlogPosition p = translator.position();
                if (translator.betweenTransactions()
                        && (p.pos() != stream.readPos || !p.file().equals(stream.readFile))) {
                    // Published after the transaction's events were queued: an empty queue means they were polled.
                    stream.readPosition = p.toChangePosition();
                    stream.readFile = p.file();
                    stream.readPos = p.pos();
                }
            });
            client.registerLifecycleListener(new BinaryLogClient.AbstractLifecycleListener() {
                @Override
                public void onCommunicationFailure(BinaryLogClient c, Exception ex) {
                    stream.onFailure(ex);
                }

                @Override
                public void onEventDeserializationFailure(BinaryLogClient c, Exception ex) {
                    stream.onFailure(ex);
                }
            });
            try {
                client.connect(10_000);
            } catch (IOException | java.util.concurrent.TimeoutException e) {
                if (stream.failure == null) {
                    throw new SQLException("cannot read the binlog of " + source.safeUrl() + ": " + e.getMessage(), e);
                }
            }
            return stream;
        } catch (SQLException | RuntimeException e) {
            admin.close();
            throw e;
        }
    }

    /** The source cannot feed catch-up safely: why, and what to do; null when it can. */
    private static String check(Connection admin, MySqlBinlogPosition start, List<TableInfo> tables)
            throws SQLException {
        Map<String, String> v = MySqlServer.variables(admin, "log_bin", "binlog_format", "binlog_row_image",
                "binlog_row_value_options", "log_bin_compress");
        if (!MySqlServer.isOn(v.get("log_bin"))) {
            return "binary logging is off on the source; start it with log_bin, binlog_format=ROW and "
                    + "binlog_row_image=FULL, then re-run the copy";
        }
        if (!"ROW".equalsIgnoreCase(v.get("binlog_format"))) {
            return "the source logs changes as binlog_format=" + v.get("binlog_format") + "; catch-up needs ROW: "
                    + "SET GLOBAL binlog_format=ROW (and in the server config), then re-run the copy";
        }
        if (!"FULL".equalsIgnoreCase(v.get("binlog_row_image"))) {
            return "the source logs binlog_row_image=" + v.get("binlog_row_image") + "; catch-up applies whole "
                    + "rows and needs FULL: SET GLOBAL binlog_row_image=FULL (and in the server config), "
                    + "then re-run the copy";
        }
        if (MySqlServer.isOn(v.get("log_bin_compress"))) {
            return "the source compresses binlog events (MariaDB log_bin_compress=ON), which livemigrate cannot "
                    + "decode; SET GLOBAL log_bin_compress=OFF (and in the server config), then re-run the copy";
        }
        String valueOptions = v.get("binlog_row_value_options");
        if (valueOptions != null && valueOptions.toUpperCase(java.util.Locale.ROOT).contains("PARTIAL_JSON")) {
            return "the source logs partial JSON updates (binlog_row_value_options=PARTIAL_JSON), which are not "
                    + "whole row images; SET GLOBAL binlog_row_value_options='' (and in the server config), "
                    + "then re-run the copy";
        }
        for (TableInfo t : tables) {
            if (!t.hasKey()) {
                return t.id() + " has no primary key and no unique key on non-null columns, so catch-up cannot "
                        + "tell its rows apart; add a primary key on the source (or leave the table out of the plan)";
            }
        }
        List<String> files = new ArrayList<>();
        try (Statement st = admin.createStatement(); ResultSet rs = st.executeQuery("SHOW BINARY LOGS")) {
            while (rs.next()) {
                files.add(rs.getString(1));
            }
        }
        if (!files.contains(start.file())) {
            return expired(start.file(), files.isEmpty() ? null : files.get(0));
        }
        return null;
    }

    static String expired(String file, String oldest) {
        return "binlog expired: the source no longer has " + file + (oldest == null ? "" : " (oldest is " + oldest
                + ")") + ", where catch-up has to continue; the changes in between are lost to catch-up. "
                + "Re-run the copy (it records a new start position), and raise binlog_expire_logs_seconds "
                + "(MariaDB: binlog_expire_logs_seconds/expire_logs_days) above the copy time plus catch-up pauses";
    }

    /** The source table's columns and their character sets, in its column order (the binlog's). */
    private static void sourceColumns(Connection admin, TableInfo t, List<Column> columns, List<String> charsets)
            throws SQLException {
        try (PreparedStatement ps = admin.prepareStatement("SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, EXTRA, "
                + "CHARACTER_SET_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? "
                + "ORDER BY ORDINAL_POSITION")) {
            ps.setString(1, t.id().schema());
            ps.setString(2, t.id().name());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.add(new Column(rs.getString(1), rs.getString(2), "YES".equals(rs.getString(3)),
                            MySqlCatalog.isGenerated(rs.getString(4))));
                    charsets.add(rs.getString(5));
                }
            }
        }
    }

    private void put(ChangeEvent event) {
        try {
            while (!closed) {
                if (queue.offer(event, 100, TimeUnit.MILLISECONDS)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void onFailure(Exception ex) {
        if (closed) {
            return;
        }
        String message = String.valueOf(ex.getMessage());
        Throwable cause = ex.getCause();
        if (cause != null && cause.getMessage() != null) {
            message = message + ": " + cause.getMessage();
        }
        if (message.contains("Could not find first log file") || message.contains("1236")
                && message.toLowerCase().contains("purged")) {
            translator.stop(expired(translator.position().file(), null));
        } else if (cause instanceof IllegalStateException) {
            translator.stop(cause.getMessage() + "; a table changed shape in the binlog: re-run the copy");
        } else {
            failure = ex;
        }
    }

    @Override
    public ChangeEvent poll(Duration timeout) throws SQLException {
        if (stop != null) {
            return stop;
        }
        ChangeEvent e = queue.poll();
        if (e == null) {
            Exception f = failure;
            if (f != null) {
                throw new SQLException("lost the binlog connection to the source: " + f.getMessage(), "08S01", f);
            }
            try {
                e = queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        if (e instanceof ChangeEvent.Stop s) {
            stop = s;
            disconnect();
        } else if (e instanceof ChangeEvent.Commit c) {
            BinlogPosition p = (BinlogPosition) c.position();
            polledFile = p.file();
            polledPos = p.pos();
        }
        return e;
    }

    /**
     * The reader's position after the last whole transaction, once every event it queued has been polled: the
     * transactions it dropped since the last passed-on commit (other databases, catch-up's own state) would otherwise
     * keep the applied position behind a quiet plan's stream until another commit came along, and a position
     * catch-up waits for (the copy's end, a cutover's mark) would never be reached.
     */
    @Override
    public Optional<ChangePosition> idlePosition() {
        ChangePosition read = readPosition;
        if (stop != null || read == null || !queue.isEmpty() || read.equals(idleReported)) {
            return Optional.empty();
        }
        idleReported = read;
        return Optional.of(read);
    }

    @Override
    public void acknowledge(ChangePosition applied) {
        // a binlog reader holds nothing on the source; the applied position lives on the target
    }

    @Override
    public long bytesBehind() throws SQLException {
        if (stop != null) {
            return -1;
        }
        long now = System.currentTimeMillis();
        if (now - statusCheckedAt < 200) {
            return cachedBehind;
        }
        statusCheckedAt = now;
        String file = polledFile;
        long pos = polledPos;
        if (queue.isEmpty() || file == null) { // caught up with the reader: it is between transactions or inside one
            file = readFile;
            pos = readPos;
        }
        cachedBehind = behind(file, pos);
        return cachedBehind;
    }

    private long behind(String file, long pos) throws SQLException {
        String headFile = null;
        long headPos = 0;
        for (String statement : STATUS_STATEMENTS) {
            try (Statement st = admin.createStatement(); ResultSet rs = st.executeQuery(statement)) {
                if (rs.next()) {
                    headFile = rs.getString(1);
                    headPos = rs.getLong(2);
                }
                break;
            } catch (SQLException e) {
                // next spelling
            }
        }
        if (headFile == null) {
            return -1;
        }
        if (headFile.equals(file)) {
            return Math.max(0, headPos - pos);
        }
        Map<String, Long> sizes = new LinkedHashMap<>();
        try (Statement st = admin.createStatement(); ResultSet rs = st.executeQuery("SHOW BINARY LOGS")) {
            while (rs.next()) {
                sizes.put(rs.getString(1), rs.getLong(2));
            }
        }
        long total = 0;
        boolean counting = false;
        for (Map.Entry<String, Long> e : sizes.entrySet()) {
            if (e.getKey().equals(file)) {
                counting = true;
                total += Math.max(0, e.getValue() - pos);
            } else if (counting && !e.getKey().equals(headFile)) {
                total += e.getValue();
            }
        }
        return total + headPos;
    }

    private void disconnect() {
        if (client != null) {
            try {
                client.disconnect();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    @Override
    public void close() throws SQLException {
        closed = true;
        disconnect();
        queue.clear();
        admin.close();
    }
}
