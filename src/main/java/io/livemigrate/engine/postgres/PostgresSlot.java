package io.livemigrate.engine.postgres;

import io.livemigrate.engine.WalPosition;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * The logical replication slot change capture reads from. Creating it fixes the start position: the source keeps
 * every change after it, whatever the copy reads later. An existing slot is kept, so a restarted copy job resumes
 * with the position it first recorded.
 */
final class PostgresSlot {

    static final String PLUGIN = "pgoutput";

    private static final String EXISTING = """
            SELECT plugin, slot_type, database = current_database(), wal_status,
                   coalesce(confirmed_flush_lsn, restart_lsn)::text
            FROM pg_replication_slots WHERE slot_name = ?""";

    private static final String DUPLICATE_OBJECT = "42710";

    private PostgresSlot() {
    }

    static WalPosition capture(Connection c, String slot) throws SQLException {
        if (!slot.matches("[a-z0-9_]{1,63}")) {
            throw new IllegalArgumentException("replication slot name must be 1-63 of a-z, 0-9, _: " + slot);
        }
        requireLogicalWal(c);
        Optional<String> lsn = existing(c, slot);
        if (lsn.isEmpty()) {
            lsn = Optional.of(create(c, slot));
        }
        return new WalPosition(slot, lsn.get());
    }

    private static void requireLogicalWal(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW wal_level")) {
            rs.next();
            String level = rs.getString(1);
            if (!"logical".equals(level)) {
                throw new IllegalStateException("the source's wal_level is '" + level
                        + "'; change capture needs 'logical': set wal_level = logical in postgresql.conf and restart");
            }
        }
    }

    /** The position of a usable existing slot; empty when there is none. */
    private static Optional<String> existing(Connection c, String slot) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(EXISTING)) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                if (!"logical".equals(rs.getString(2)) || !PLUGIN.equals(rs.getString(1))) {
                    throw new IllegalStateException("replication slot " + slot + " exists but is a " + rs.getString(2)
                            + " slot with plugin " + rs.getString(1) + ", not " + PLUGIN
                            + "; drop it or choose another capture name");
                }
                if (!rs.getBoolean(3)) {
                    throw new IllegalStateException("replication slot " + slot
                            + " exists for another database; choose another capture name");
                }
                if ("lost".equals(rs.getString(4))) {
                    throw new IllegalStateException("replication slot " + slot + " was invalidated (the source removed"
                            + " WAL it still needed); the changes since it was made are lost: drop the slot and"
                            + " start the migration over");
                }
                return Optional.of(rs.getString(5));
            }
        }
    }

    /**
     * Slot creation refuses to run in a transaction that has written, and waits for running transactions to end:
     * it runs on its own in autocommit (switching autocommit on commits whatever the connection had open).
     */
    private static String create(Connection c, String slot) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(true);
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT lsn::text FROM pg_create_logical_replication_slot(?, '" + PLUGIN + "')")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        } catch (SQLException e) {
            // Another worker created it between our look and our create: use theirs.
            if (DUPLICATE_OBJECT.equals(e.getSQLState())) {
                return existing(c, slot).orElseThrow(() -> e);
            }
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }
}
