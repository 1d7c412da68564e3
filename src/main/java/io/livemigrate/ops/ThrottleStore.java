package io.livemigrate.ops;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The throttle's change log in the job repository database (LIVEMIGRATE_THROTTLE): one row per change with who,
 * when and what; the newest row of a plan is the setting in force. Running jobs poll {@link #current}.
 */
public final class ThrottleStore {

    private static final String COLUMNS = "CHANGE_NO, ROWS_PER_SECOND, PAUSED, LAG_QUERY, MAX_LAG, CHANGED_AT, "
            + "CHANGED_BY, CHANGE_TEXT";

    private final DataSource repository;

    public ThrottleStore(DataSource repository) {
        this.repository = repository;
    }

    /** A recorded change and the full setting after it. */
    public record Change(long number, ThrottleSettings settings, Instant at, String by, String what) {
    }

    public Optional<Change> current(String plan) throws SQLException {
        List<Change> last = history(plan, 1);
        return last.isEmpty() ? Optional.empty() : Optional.of(last.get(0));
    }

    /** The newest {@code limit} changes, newest first. */
    public List<Change> history(String plan, int limit) throws SQLException {
        String sql = "SELECT " + COLUMNS + " FROM LIVEMIGRATE_THROTTLE WHERE PLAN_NAME = ? ORDER BY CHANGE_NO DESC";
        List<Change> changes = new ArrayList<>();
        try (Connection c = repository.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, plan);
            ps.setMaxRows(limit);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next() && changes.size() < limit) {
                    double maxLag = rs.getDouble(5);
                    ThrottleSettings s = new ThrottleSettings(rs.getLong(2), rs.getInt(3) != 0, rs.getString(4),
                            rs.wasNull() ? null : maxLag);
                    changes.add(new Change(rs.getLong(1), s, rs.getTimestamp(6).toInstant(), rs.getString(7),
                            rs.getString(8)));
                }
            }
        }
        return changes;
    }

    /**
     * Records a change. The change number is the plan's next; two operators changing the same plan at the same
     * instant collide on the primary key and one of them gets an error to retry, rather than a lost update.
     */
    public Change record(String plan, ThrottleSettings settings, String by, String what) throws SQLException {
        try (Connection c = repository.getConnection()) {
            c.setAutoCommit(false);
            try {
                long number = nextNumber(c, plan);
                Instant now = Instant.now();
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO LIVEMIGRATE_THROTTLE (PLAN_NAME, " + COLUMNS
                        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, plan);
                    ps.setLong(2, number);
                    ps.setLong(3, settings.rowsPerSecond());
                    ps.setInt(4, settings.paused() ? 1 : 0);
                    ps.setString(5, settings.lagQuery());
                    if (settings.maxLag() == null) {
                        ps.setNull(6, Types.DOUBLE);
                    }
                    else {
                        ps.setDouble(6, settings.maxLag());
                    }
                    ps.setTimestamp(7, Timestamp.from(now));
                    ps.setString(8, cut(by, 200));
                    ps.setString(9, cut(what, 500));
                    ps.executeUpdate();
                }
                c.commit();
                return new Change(number, settings, now, by, what);
            }
            catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static long nextNumber(Connection c, String plan) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT COALESCE(MAX(CHANGE_NO), 0) + 1 FROM LIVEMIGRATE_THROTTLE WHERE PLAN_NAME = ?")) {
            ps.setString(1, plan);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
