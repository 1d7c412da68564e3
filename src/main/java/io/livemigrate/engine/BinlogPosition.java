package io.livemigrate.engine;

import java.util.Map;
import java.util.Set;

/**
 * A MySQL/MariaDB position: binlog file and offset, with the GTID state of everything committed up to it. Text form
 * {@code mysql:file=F;pos=N;gtid=G;flavor=mysql|mariadb}. The stream always resumes from file and offset; the GTIDs are
 * kept for ops and for a later switch to GTID auto-positioning.
 *
 * @param file   the binlog file, {@code base.000123}: the numeric suffix orders files
 * @param pos    the offset of the next event in {@code file}
 * @param gtid   MariaDB's {@code domain-server-seq} list or MySQL's executed set; empty when GTIDs are off; null when
 *               the position was written without one
 * @param flavor {@code mysql} or {@code mariadb}; null when written without one (read as MariaDB, as before flavors
 *               were recorded)
 */
public record BinlogPosition(String file, long pos, String gtid, String flavor) implements ChangePosition {

    static final String ENGINE = "mysql";
    private static final Set<String> FIELDS = Set.of("file", "pos", "gtid", "flavor");

    public BinlogPosition {
        if (file == null || file.isBlank() || pos < 0) {
            throw new IllegalArgumentException("a binlog position needs a file and a non-negative pos: " + file + ":"
                    + pos);
        }
        PositionText.value("file", file);
        PositionText.value("gtid", gtid);
        PositionText.value("flavor", flavor);
    }

    static BinlogPosition of(Map<String, String> fields) {
        PositionText.onlyKnown(fields, FIELDS, ENGINE);
        String pos = fields.get("pos");
        if (fields.get("file") == null || pos == null || pos.isEmpty() || pos.length() > 18
                || !pos.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("binlog position needs file and pos: " + fields);
        }
        return new BinlogPosition(fields.get("file"), Long.parseLong(pos), fields.get("gtid"), fields.get("flavor"));
    }

    /** MariaDB unless recorded as MySQL. */
    public boolean mariaDb() {
        return !"mysql".equals(flavor);
    }

    /** The suffix of {@code base.000123}, by which binlog files are ordered. */
    public long fileNumber() {
        return Long.parseLong(file.substring(file.lastIndexOf('.') + 1));
    }

    @Override
    public String engine() {
        return ENGINE;
    }

    /** In a later file, or at or past the mark's offset in the same file. */
    @Override
    public boolean reached(ChangePosition mark) {
        if (!(mark instanceof BinlogPosition m)) {
            throw new IllegalArgumentException("a binlog position cannot be compared with " + mark);
        }
        long appliedFile = fileNumber();
        long markFile = m.fileNumber();
        return appliedFile > markFile || appliedFile == markFile && pos >= m.pos;
    }

    @Override
    public String serialize() {
        return new PositionText(ENGINE).field("file", file).field("pos", Long.toString(pos)).field("gtid", gtid)
                .field("flavor", flavor).toString();
    }

    @Override
    public String toString() {
        return serialize();
    }
}
