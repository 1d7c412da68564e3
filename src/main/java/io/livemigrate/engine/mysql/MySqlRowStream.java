package io.livemigrate.engine.mysql;

import java.io.IOException;
import java.io.InputStream;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A streaming source result set rendered lazily as LOAD DATA input: fields separated by tab, rows ended by
 * newline, NULL as {@code \N}, and backslash, tab, newline, carriage return and NUL escaped with a backslash.
 * Values are the raw bytes from {@link ResultSet#getBytes}, escaped byte by byte, which is how the server reads
 * them back under {@code CHARACTER SET binary}.
 *
 * <p>Only the row being read is held, so memory stays flat whatever the range size; the buffer grows to the
 * widest row seen and is given back after an unusually wide one. A source read failure is kept, because the
 * driver reports an input stream failure to the server in ways that can look like a short, successful load.
 */
final class MySqlRowStream extends InputStream {

    private static final int INITIAL = 64 * 1024;
    private static final int RETAINED_MAX = 4 * 1024 * 1024;

    private final ResultSet rows;
    private final int columns;
    private byte[] buf = new byte[INITIAL];
    private int pos;
    private int limit;
    private boolean exhausted;
    private boolean touched;
    private long rowCount;
    private SQLException failure;

    MySqlRowStream(ResultSet rows, int columns) {
        this.rows = rows;
        this.columns = columns;
    }

    long rowCount() {
        return rowCount;
    }

    /** Whether any row has been pulled from the result set, i.e. whether another writer could still take it. */
    boolean touched() {
        return touched;
    }

    SQLException failure() {
        return failure;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] target, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        int copied = 0;
        while (copied < length) {
            if (pos == limit && !nextRow()) {
                break;
            }
            int n = Math.min(length - copied, limit - pos);
            System.arraycopy(buf, pos, target, offset + copied, n);
            pos += n;
            copied += n;
        }
        return copied == 0 ? -1 : copied;
    }

    private boolean nextRow() throws IOException {
        if (exhausted) {
            return false;
        }
        touched = true;
        try {
            if (!rows.next()) {
                exhausted = true;
                return false;
            }
            if (buf.length > RETAINED_MAX) {
                buf = new byte[INITIAL];
            }
            pos = 0;
            limit = 0;
            for (int i = 1; i <= columns; i++) {
                if (i > 1) {
                    put((byte) '\t');
                }
                appendField(rows.getBytes(i));
            }
            put((byte) '\n');
            rowCount++;
            return true;
        } catch (SQLException e) {
            failure = e;
            exhausted = true;
            throw new IOException("reading the source rows failed: " + e.getMessage(), e);
        }
    }

    private void appendField(byte[] value) {
        if (value == null) {
            put((byte) '\\');
            put((byte) 'N');
            return;
        }
        ensure(value.length * 2);
        for (byte b : value) {
            byte escaped = switch (b) {
                case '\\' -> '\\';
                case '\t' -> 't';
                case '\n' -> 'n';
                case '\r' -> 'r';
                case 0 -> '0';
                default -> 0;
            };
            if (escaped != 0) {
                buf[limit++] = '\\';
                buf[limit++] = escaped;
            } else {
                buf[limit++] = b;
            }
        }
    }

    private void put(byte b) {
        ensure(1);
        buf[limit++] = b;
    }

    private void ensure(int more) {
        if (limit + more > buf.length) {
            byte[] bigger = new byte[Math.max(buf.length * 2, limit + more)];
            System.arraycopy(buf, 0, bigger, 0, limit);
            buf = bigger;
        }
    }
}
