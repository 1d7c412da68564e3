package io.livemigrate.engine.mysql;

import io.livemigrate.engine.Fence;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * MySQL/MariaDB's {@code read-only} fence: {@code SET GLOBAL read_only = ON} (it waits for running commits), then
 * the connections that hold an open transaction are ended, so none can commit a write the drain would miss: the
 * application's users when {@code app-roles} names them, otherwise every other user's. Users with SUPER (MariaDB
 * 10.11 and later: READ ONLY ADMIN) can still write, which catch-up and the cutover itself rely on; the
 * application's users must not have it. A rollback restores the previous value. After a switch the old primary
 * stays read-only, so a client still pointed at it (a stale connection, a cached address) fails instead of writing
 * where nobody reads any more, and the new primary is made writable (a revert finds it read-only from the cutover).
 */
final class MySqlReadOnlyFence implements Fence {

    private final DataSource source;
    private final DataSource newPrimary;
    private final List<String> appUsers;

    MySqlReadOnlyFence(DataSource source, DataSource newPrimary, List<String> appUsers) {
        this.source = source;
        this.newPrimary = newPrimary;
        this.appUsers = List.copyOf(appUsers);
    }

    @Override
    public String prepare() throws SQLException {
        try (Connection c = source.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT @@global.read_only")) {
            rs.next();
            return rs.getBoolean(1) ? "ON" : "OFF";
        }
    }

    @Override
    public void apply() throws SQLException {
        try (Connection c = source.getConnection(); Statement st = c.createStatement()) {
            st.execute("SET GLOBAL read_only = ON");
            List<Long> holders = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT p.ID, p.USER FROM information_schema.PROCESSLIST p "
                    + "JOIN information_schema.INNODB_TRX t ON t.trx_mysql_thread_id = p.ID "
                    + "WHERE p.ID <> CONNECTION_ID() AND p.USER <> SUBSTRING_INDEX(CURRENT_USER(), '@', 1)");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (appUsers.isEmpty() || appUsers.contains(rs.getString(2))) {
                        holders.add(rs.getLong(1));
                    }
                }
            }
            for (long id : holders) {
                try {
                    st.execute("KILL CONNECTION " + id);
                }
                catch (SQLException gone) {
                    // ended on its own meanwhile
                }
            }
        }
    }

    @Override
    public void lift(String restore) throws SQLException {
        try (Connection c = source.getConnection(); Statement st = c.createStatement()) {
            st.execute("SET GLOBAL read_only = " + ("ON".equals(restore) ? "ON" : "OFF"));
        }
    }

    @Override
    public String release(String restore) throws SQLException {
        try (Connection c = newPrimary.getConnection(); Statement st = c.createStatement()) {
            st.execute("SET GLOBAL read_only = OFF");
        }
        return "the new primary is writable; read_only stays on at the old primary";
    }

    @Override
    public String describe() {
        return "read_only on the source server";
    }
}
