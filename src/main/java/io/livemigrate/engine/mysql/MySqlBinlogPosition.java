package io.livemigrate.engine.mysql;

import com.github.shyiko.mysql.binlog.GtidSet;
import io.livemigrate.engine.BinlogPosition;
import io.livemigrate.engine.ChangePosition;

import java.util.TreeMap;

/**
 * The binlog stream's own position while it reads: file and offset of the next event, plus the GTID state of
 * everything committed so far, in the same {@link BinlogPosition} form {@link MySqlPosition} records before the
 * copy ({@code mysql:file=..;pos=..;gtid=..;flavor=..}).
 *
 * <p>GTIDs are kept for the positions emitted (ops and a later switch to GTID auto-positioning); the stream
 * itself always resumes from file/pos. MariaDB's state is one {@code domain-server-seq} per domain (the newest
 * wins); MySQL's is an executed set of {@code uuid:interval} ranges. Not thread-safe: the listener thread owns it.
 */
final class MySqlBinlogPosition {

    private final boolean mariaDb;
    private String file;
    private long pos;
    private final TreeMap<Long, String> mariaDbGtids = new TreeMap<>();
    private GtidSet mySqlGtids;

    private MySqlBinlogPosition(boolean mariaDb, String file, long pos, String gtid) {
        this.mariaDb = mariaDb;
        this.file = file;
        this.pos = pos;
        if (mariaDb) {
            if (gtid != null && !gtid.isBlank()) {
                for (String one : gtid.split(",")) {
                    addMariaDb(one.trim());
                }
            }
        } else {
            mySqlGtids = new GtidSet(gtid == null ? "" : gtid);
        }
    }

    /** Reads a recorded position; another engine's is refused. */
    static MySqlBinlogPosition of(ChangePosition position) {
        if (!(position instanceof BinlogPosition p)) {
            throw new IllegalArgumentException("not a MySQL/MariaDB binlog position: " + position);
        }
        return new MySqlBinlogPosition(p.mariaDb(), p.file(), p.pos(), p.gtid());
    }

    boolean mariaDb() {
        return mariaDb;
    }

    String file() {
        return file;
    }

    long pos() {
        return pos;
    }

    void moveTo(String newFile, long newPos) {
        this.file = newFile;
        this.pos = newPos;
    }

    void advance(long nextPos) {
        // 0 for the artificial events (fake rotate, heartbeats): they do not move the position
        if (nextPos > 0) {
            this.pos = nextPos;
        }
    }

    /** A MariaDB GTID {@code domain-server-seq} committed. */
    void addMariaDb(String gtid) {
        String[] parts = gtid.split("-");
        if (parts.length == 3) {
            mariaDbGtids.put(Long.parseLong(parts[0]), gtid);
        }
    }

    /** A MySQL GTID {@code uuid:n} committed. */
    void addMySql(String gtid) {
        if (gtid != null && !gtid.isEmpty()) {
            mySqlGtids.add(gtid);
        }
    }

    String gtid() {
        return mariaDb ? String.join(",", mariaDbGtids.values()) : mySqlGtids.toString();
    }

    BinlogPosition toChangePosition() {
        return new BinlogPosition(file, pos, gtid(), mariaDb ? "mariadb" : "mysql");
    }

    @Override
    public String toString() {
        return file + ":" + pos;
    }
}
