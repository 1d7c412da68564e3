package io.livemigrate.engine;

import java.util.Map;
import java.util.Set;

/**
 * A PostgreSQL position: an LSN in the source's write-ahead log, and the logical replication slot that reads from
 * it. Text form {@code postgresql:slot=S;lsn=X/Y}; a cutover's mark has no slot ({@code postgresql:lsn=X/Y}).
 *
 * @param slot the replication slot; null for a mark, which only orders (the stream then reads the plan's own slot)
 * @param lsn  the LSN as the server or the decoder wrote it ({@code %X/%X}); kept as written, so the text form reads
 *             back byte for byte whatever zero padding a server version prints
 */
public record WalPosition(String slot, String lsn) implements ChangePosition {

    static final String ENGINE = "postgresql";
    private static final Set<String> FIELDS = Set.of("slot", "lsn");

    public WalPosition {
        PositionText.value("slot", slot);
        if (lsn == null || !wellFormed(lsn)) {
            throw new IllegalArgumentException("bad change position field: lsn " + lsn);
        }
    }

    static WalPosition of(Map<String, String> fields) {
        PositionText.onlyKnown(fields, FIELDS, ENGINE);
        if (fields.get("lsn") == null) {
            throw new IllegalArgumentException("a PostgreSQL change position needs an lsn: " + fields);
        }
        return new WalPosition(fields.get("slot"), fields.get("lsn"));
    }

    /** The same position read by another slot. */
    public WalPosition withSlot(String slot) {
        return new WalPosition(slot, lsn);
    }

    /** The LSN as a 64-bit number, ordered unsigned as PostgreSQL orders {@code pg_lsn}. */
    public long lsnValue() {
        return parseLsn(lsn);
    }

    @Override
    public String engine() {
        return ENGINE;
    }

    /** At or past the mark's LSN: catch-up records a transaction's end, which lies past every earlier commit. */
    @Override
    public boolean reached(ChangePosition mark) {
        if (!(mark instanceof WalPosition m)) {
            throw new IllegalArgumentException("a PostgreSQL position cannot be compared with " + mark);
        }
        return Long.compareUnsigned(lsnValue(), m.lsnValue()) >= 0;
    }

    @Override
    public String serialize() {
        return new PositionText(ENGINE).field("slot", slot).field("lsn", lsn).toString();
    }

    @Override
    public String toString() {
        return serialize();
    }

    /** {@code X/Y}, each half one to eight hex digits, as {@code pg_lsn} accepts it. */
    private static boolean wellFormed(String text) {
        int slash = text.indexOf('/');
        int low = text.length() - slash - 1;
        if (slash < 1 || slash > 8 || low < 1 || low > 8) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (i != slash && Character.digit(text.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    private static long parseLsn(String text) {
        int slash = text.indexOf('/');
        return Long.parseLong(text, 0, slash, 16) << 32 | Long.parseLong(text, slash + 1, text.length(), 16);
    }
}
