package io.livemigrate.engine.postgres;

import io.livemigrate.engine.ChangeEvent;
import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.WalPosition;
import io.livemigrate.engine.ChangeStream;
import io.livemigrate.engine.Endpoint;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * PostgreSQL logical decoding as a {@link ChangeStream}: pgoutput (protocol 1, text values) from the plan's slot
 * through PgJDBC's replication API.
 *
 * <ol>
 *   <li>Checks the slot (exists, not invalidated, has not released anything after the start position), the
 *       publication (covers every table) and each table's replica identity; a failed check is a
 *       {@link ChangeEvent.Stop} saying what to do.</li>
 *   <li>Starts replication at the start position; keepalives are answered by PgJDBC.</li>
 *   <li>{@link #acknowledge} confirms the flush LSN only for positions committed on the target.</li>
 * </ol>
 */
public final class PostgresChangeStream implements ChangeStream {

    private static final String SLOT = """
            SELECT plugin, database = current_database(), wal_status, confirmed_flush_lsn::text
            FROM pg_replication_slots WHERE slot_name = ?""";

    private final Connection admin;
    private final Connection replication;
    private final PGReplicationStream stream;
    private PgOutputDecoder decoder;
    private final ArrayDeque<ChangeEvent> pending = new ArrayDeque<>();
    private final Map<Long, String> typeNames = new HashMap<>();
    /** Source relations by oid: the plan's tables, their partitions and the publication's other tables. */
    private final Map<Long, PgOutputDecoder.Member> members = new HashMap<>();
    private ChangeEvent.Stop stop;
    private long sampledEnd = -1;
    private String slot;
    /** The last LSN confirmed to the source (acknowledge), or the start position. */
    private long acknowledged;

    private PostgresChangeStream(Connection admin, Connection replication, PGReplicationStream stream,
                                 ChangeEvent.Stop stop) {
        this.admin = admin;
        this.replication = replication;
        this.stream = stream;
        this.stop = stop;
    }

    public static PostgresChangeStream open(Endpoint source, ChangePosition from, List<TableInfo> tables,
                                            String captureName) throws SQLException {
        if (!(from instanceof WalPosition wal) || wal.lsnValue() == LogSequenceNumber.INVALID_LSN.asLong()) {
            throw new IllegalArgumentException("not a PostgreSQL change position: " + from);
        }
        String slot = wal.slot() != null ? wal.slot() : captureName;
        LogSequenceNumber start = LogSequenceNumber.valueOf(wal.lsnValue());
        Connection admin = connect(source, false);
        try {
            String problem = check(admin, slot, start, captureName, tables);
            if (problem != null) {
                return new PostgresChangeStream(admin, null, null, new ChangeEvent.Stop(problem));
            }
            Connection replication = connect(source, true);
            PGReplicationStream stream;
            try {
                stream = replication.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                        .withSlotName(slot)
                        .withStartPosition(start)
                        .withSlotOption("proto_version", "1")
                        .withSlotOption("publication_names", captureName)
                        // logical messages (14+): the cutover's drain marker arrives as a transaction, which PostgreSQL
                        // 15+ would otherwise skip as empty; the decoder ignores the message itself
                        .withSlotOption("messages", String.valueOf(admin.getMetaData().getDatabaseMajorVersion() >= 14))
                        .withStatusInterval(5, TimeUnit.SECONDS)
                        // PgJDBC would otherwise confirm keepalive positions past the last applied commit by itself:
                        // the slot must confirm only what the target committed (docs/design.md, rule 4).
                        .withAutomaticFlush(false)
                        .start();
            }
            catch (SQLException e) {
                replication.close();
                throw e;
            }
            Map<TableId, TableInfo> byId = new LinkedHashMap<>();
            tables.forEach(t -> byId.put(t.id(), t));
            PostgresChangeStream s = new PostgresChangeStream(admin, replication, stream, null);
            s.knowMembers(tables, captureName);
            s.decoder = new PgOutputDecoder(slot, byId, s::typeName, s::member);
            s.slot = slot;
            s.acknowledged = start.asLong();
            return s;
        }
        catch (SQLException | RuntimeException e) {
            admin.close();
            throw e;
        }
    }

    private static Connection connect(Endpoint source, boolean replication) throws SQLException {
        Properties props = new Properties();
        PGProperty.USER.set(props, source.user());
        if (!source.password().isEmpty()) {
            PGProperty.PASSWORD.set(props, source.password().reveal());
        }
        PGProperty.APPLICATION_NAME.set(props, "livemigrate-catchup");
        PGProperty.CONNECT_TIMEOUT.set(props, 10);
        if (replication) {
            PGProperty.REPLICATION.set(props, "database");
            PGProperty.PREFER_QUERY_MODE.set(props, "simple");
            PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
            // The walsender renders values with these settings: exact floats, ISO dates, postgres intervals.
            PGProperty.OPTIONS.set(props, "-c extra_float_digits=3 -c IntervalStyle=postgres -c DateStyle=ISO,MDY");
        }
        return DriverManager.getConnection(source.url(), props);
    }

    /** What stops catch-up before it starts, or null. */
    private static String check(Connection c, String slot, LogSequenceNumber start, String publication,
                                List<TableInfo> tables) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SLOT)) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return "replication slot " + slot + " does not exist on the source (it was dropped): the changes "
                            + "made since the copy started are lost to catch-up. Drop the target tables and start the "
                            + "migration over with copy (it creates the slot again)";
                }
                if (!rs.getBoolean(2) || !PostgresSlot.PLUGIN.equals(rs.getString(1))) {
                    return "replication slot " + slot + " belongs to another database or plugin; choose another plan"
                            + " name";
                }
                if ("lost".equals(rs.getString(3))) {
                    return "replication slot " + slot + " was invalidated: the source removed WAL it still needed "
                            + "(max_slot_wal_keep_size). The changes are lost: drop the slot and start the migration "
                            + "over, with max_slot_wal_keep_size = -1 or more room";
                }
                LogSequenceNumber confirmed = LogSequenceNumber.valueOf(rs.getString(4));
                if (confirmed.asLong() > start.asLong()) {
                    return "replication slot " + slot + " has confirmed " + confirmed.asString() + ", past the position"
                            + " catch-up resumes from (" + start.asString() + "): the source released changes the "
                            + "target never got (was the target restored, or the slot used by another consumer?). Start"
                            + " the migration over";
                }
            }
        }
        Set<TableId> members = PostgresPublication.members(c, publication);
        List<String> missing = tables.stream().map(TableInfo::id).filter(t -> !members.contains(t))
                .map(TableId::qualified).toList();
        if (!missing.isEmpty()) {
            return "publication " + publication + " does not cover " + String.join(", ", missing) + ": their changes"
                    + " since the copy started were not captured. Copy those tables with a new plan, or remove them "
                    + "from this plan's table filter";
        }
        for (TableInfo t : tables) {
            String problem = PostgresPublication.identityProblem(c, t);
            if (problem != null) {
                return problem + "; then run catchup again";
            }
        }
        return null;
    }

    /**
     * The relations catch-up knows as it starts, by oid: each plan table and its partitions under their names now,
     * and what else the publication holds (tables a narrower plan of the same name left out), whose changes are
     * skipped.
     */
    private void knowMembers(List<TableInfo> tables, String publication) throws SQLException {
        for (TableInfo t : tables) {
            Long oid = PostgresCatalog.oid(admin, t.id()).orElse(null);
            if (oid != null) {
                members.put(oid, new PgOutputDecoder.Member(t.id(), t.id()));
                PostgresPartitions.partitions(admin, oid)
                        .forEach((p, name) -> members.put(p, new PgOutputDecoder.Member(t.id(), name)));
            }
        }
        for (TableId other : PostgresPublication.members(admin, publication)) {
            Long oid = PostgresCatalog.oid(admin, other).orElse(null);
            if (oid != null && !members.containsKey(oid)) {
                members.put(oid, new PgOutputDecoder.Member(null, other));
            }
        }
    }

    /**
     * What the relation {@code relid} is to the plan: known from the start, or a partition created since below a
     * known table (pg_partition_root now); null when neither.
     */
    private PgOutputDecoder.Member member(long relid, TableId named) throws SQLException {
        PgOutputDecoder.Member known = members.get(relid);
        if (known != null) {
            return known;
        }
        Long root = PostgresPartitions.root(admin, relid);
        PgOutputDecoder.Member table = root == null ? null : members.get(root);
        if (table == null) {
            return null;
        }
        PgOutputDecoder.Member partition = new PgOutputDecoder.Member(table.planTable(), named);
        members.put(relid, partition);
        return partition;
    }

    /**
     * The type's name as {@link PostgresCatalog} prints the target's columns: schema-qualified unless in pg_catalog,
     * whatever the search_path (an enum {@code mood} is {@code public.mood} on both sides).
     */
    private String typeName(int oid, int typmod) throws SQLException {
        long key = ((long) oid << 32) | (typmod & 0xffffffffL);
        String name = typeNames.get(key);
        if (name == null) {
            name = PostgresSearchPath.qualified(admin, () -> {
                try (PreparedStatement ps = admin.prepareStatement("SELECT format_type(?::oid, ?)")) {
                    ps.setLong(1, oid & 0xffffffffL);
                    ps.setInt(2, typmod);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        return rs.getString(1);
                    }
                }
            });
            typeNames.put(key, name);
        }
        return name;
    }

    private static final long SHORT_GAP_NANOS = 50_000_000L;
    private long lastMessage = System.nanoTime();

    /** How often the plan's tables are looked up again by name (one catalog query). */
    private static final long TABLE_CHECK_NANOS = 2_000_000_000L;

    /**
     * The plan tables that no longer have the oid they had as catch-up started under their name: dropped, renamed,
     * or dropped and created again. A table created again is in no publication, so none of its changes would ever
     * arrive: nothing in the stream tells, hence the look-up.
     */
    private static final String GONE = """
            SELECT k.s || '.' || k.n FROM unnest(?::text[], ?::text[], ?::bigint[]) AS k(s, n, o)
            WHERE NOT EXISTS (SELECT 1 FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
                              WHERE c.oid = k.o::oid AND ns.nspname = k.s AND c.relname = k.n)
            ORDER BY 1""";

    private long nextTableCheck = System.nanoTime() + TABLE_CHECK_NANOS;

    private String goneTables() throws SQLException {
        List<String> schemas = new java.util.ArrayList<>();
        List<String> names = new java.util.ArrayList<>();
        List<Long> oids = new java.util.ArrayList<>();
        members.forEach((oid, m) -> {
            if (m.name().equals(m.planTable())) {
                schemas.add(m.name().schema());
                names.add(m.name().name());
                oids.add(oid);
            }
        });
        try (PreparedStatement ps = admin.prepareStatement(GONE)) {
            ps.setArray(1, admin.createArrayOf("text", schemas.toArray()));
            ps.setArray(2, admin.createArrayOf("text", names.toArray()));
            ps.setArray(3, admin.createArrayOf("bigint", oids.toArray()));
            List<String> gone = new java.util.ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    gone.add(rs.getString(1));
                }
            }
            return gone.isEmpty() ? null : "table(s) " + String.join(", ", gone) + " of the plan are no longer on the "
                    + "source as catch-up started: dropped, renamed, or dropped and created again while catch-up ran "
                    + "(a table created again is in no publication: its changes are not captured). Everything committed"
                    + " on the target so far is kept. Exclude them from the plan (tables.exclude) and run catchup "
                    + "again, then move them with a new plan (copy creates them again)";
        }
    }

    @Override
    public ChangeEvent poll(Duration timeout) throws SQLException {
        if (stop != null) {
            return stop;
        }
        if (System.nanoTime() - nextTableCheck >= 0) {
            nextTableCheck = System.nanoTime() + TABLE_CHECK_NANOS;
            String gone = goneTables();
            if (gone != null) {
                stop = new ChangeEvent.Stop(gone);
                return stop;
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (pending.isEmpty()) {
            ByteBuffer message = stream.readPending();
            long now = System.nanoTime();
            if (message != null) {
                decoder.decode(message, pending::add);
                lastMessage = now;
                continue;
            }
            long left = deadline - now;
            if (left <= 0 || Thread.currentThread().isInterrupted()) {
                return null;
            }
            // A gap of a few milliseconds is the walsender decoding the next record: wait 0.2 ms, so the socket
            // never sits full while we sleep, which would stall a backlog drain. A source quiet for longer is idle:
            // back off to 10 ms.
            long quiet = now - lastMessage;
            LockSupport.parkNanos(Math.min(left, quiet < SHORT_GAP_NANOS ? 200_000L : 10_000_000L));
        }
        ChangeEvent next = pending.poll();
        if (next instanceof ChangeEvent.Stop s) {
            stop = s;
        }
        return next;
    }

    @Override
    public void acknowledge(ChangePosition applied) throws SQLException {
        if (stream == null) {
            return;
        }
        LogSequenceNumber lsn = LogSequenceNumber.valueOf(((WalPosition) applied).lsnValue());
        stream.setFlushedLSN(lsn);
        stream.setAppliedLSN(lsn);
        stream.forceUpdateStatus();
        acknowledged = Math.max(acknowledged, lsn.asLong());
    }

    /**
     * The last position the walsender reported (a keepalive's WAL end, or the start of the last record it sent), once
     * every decoded event has been taken: transactions that commit after it are sent again from the slot however
     * early they began, as for a subscription's feedback.
     */
    @Override
    public Optional<ChangePosition> idlePosition() {
        if (stream == null || !pending.isEmpty()) {
            return Optional.empty();
        }
        LogSequenceNumber received = stream.getLastReceiveLSN();
        return received.asLong() > acknowledged ? Optional.of(PgOutputDecoder.position(slot, received.asLong()))
                : Optional.empty();
    }

    /**
     * The source's WAL end as sampled at the previous call minus what the walsender has sent us since (XLogData or
     * keepalive; each call asks for a keepalive). So an idle stream reports 0 once the walsender has read past the
     * end sampled before, whatever WAL other databases of the server write meanwhile.
     */
    @Override
    public long bytesBehind() throws SQLException {
        if (stream == null) {
            return -1;
        }
        long end;
        try (PreparedStatement ps = admin.prepareStatement("SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            end = rs.getLong(1);
        }
        long received = stream.getLastReceiveLSN().asLong();
        long behind = Math.max(0, (sampledEnd < 0 ? end : sampledEnd) - received);
        sampledEnd = end;
        stream.forceUpdateStatus();
        return behind;
    }

    @Override
    public void close() throws SQLException {
        try {
            if (stream != null) {
                stream.close();
            }
        }
        finally {
            try {
                if (replication != null) {
                    replication.close();
                }
            }
            finally {
                admin.close();
            }
        }
    }
}
