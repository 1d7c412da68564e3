package io.livemigrate.engine.mysql;

import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The fallback write path when LOAD DATA LOCAL is refused (local_infile OFF on the target, or a connection made
 * without allowLoadLocalInfile): multi-row INSERT statements of at most {@link #BATCH_BYTES} of values (less when
 * the target's max_allowed_packet is small), so memory stays bounded.
 *
 * <p>The statement is built here rather than left to the driver's batch rewriting, because a rewritten batch
 * reports no warnings, and {@link MySqlWarnings} needs them to catch values the target changed.
 *
 * <p>Values are bound as the same raw bytes the LOAD DATA path streams. Bytes outside ASCII go as a binary string
 * (stored unchanged in the column's character set); ASCII text goes as an ordinary string, because the driver
 * may spell a binary parameter as a hex literal, which MySQL reads as a number in a numeric column.
 */
final class MySqlInsertWriter {

    static final long BATCH_BYTES = 4L * 1024 * 1024;
    static final int BATCH_ROWS = 5_000;

    private final Connection target;
    private final MySqlCopyColumns columns;
    private final MySqlWarnings warnings;
    private final String head;
    private final long batchBytes;

    private MySqlInsertWriter(Connection target, TableInfo table, TableId targetTable, MySqlCopyColumns columns)
            throws SQLException {
        this.target = target;
        this.columns = columns;
        String qualified = MySqlDialect.INSTANCE.table(targetTable);
        this.warnings = new MySqlWarnings(table, "INSERT into " + qualified);
        this.head = "INSERT INTO " + qualified + " (" + columns.columnList() + ") VALUES ";
        // escaping can double binary values: leave room under the packet limit
        this.batchBytes = Math.min(BATCH_BYTES, maxAllowedPacket(target) / 3);
    }

    static long write(Connection target, TableInfo table, TableId targetTable, MySqlCopyColumns columns,
                      ResultSet rows) throws SQLException {
        return new MySqlInsertWriter(target, table, targetTable, columns).writeAll(rows);
    }

    private long writeAll(ResultSet rows) throws SQLException {
        List<byte[][]> batch = new ArrayList<>();
        long bytes = 0;
        long written = 0;
        while (rows.next()) {
            byte[][] row = new byte[columns.size()][];
            for (int i = 0; i < row.length; i++) {
                row[i] = rows.getBytes(i + 1);
                bytes += row[i] == null ? 4 : row[i].length + 8;
            }
            batch.add(row);
            if (bytes >= batchBytes || batch.size() >= BATCH_ROWS) {
                written += flush(batch);
                bytes = 0;
            }
        }
        return written + flush(batch);
    }

    private int flush(List<byte[][]> batch) throws SQLException {
        if (batch.isEmpty()) {
            return 0;
        }
        String sql = head + String.join(", ", Collections.nCopies(batch.size(), columns.valuesTuple()));
        try (PreparedStatement insert = target.prepareStatement(sql)) {
            int index = 1;
            for (byte[][] row : batch) {
                for (byte[] value : row) {
                    bind(insert, index++, value);
                }
            }
            insert.executeUpdate();
            warnings.failOnAny(insert);
        }
        int n = batch.size();
        batch.clear();
        return n;
    }

    private static void bind(PreparedStatement insert, int index, byte[] value) throws SQLException {
        if (value == null) {
            insert.setNull(index, Types.VARBINARY);
        } else if (isPlainAscii(value)) {
            insert.setString(index, new String(value, StandardCharsets.US_ASCII));
        } else {
            insert.setBytes(index, value);
        }
    }

    private static boolean isPlainAscii(byte[] value) {
        for (byte b : value) {
            if (b <= 0) {
                return false;
            }
        }
        return true;
    }

    private static long maxAllowedPacket(Connection target) throws SQLException {
        try (Statement st = target.createStatement();
             ResultSet rs = st.executeQuery("SELECT @@SESSION.max_allowed_packet")) {
            return rs.next() ? rs.getLong(1) : BATCH_BYTES * 3;
        }
    }
}
