package io.livemigrate.engine.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Runs catalog reads with {@code search_path = pg_catalog}, so format_type, pg_get_expr, pg_get_indexdef and
 * pg_get_constraintdef qualify every user object with its schema: the text they print then means the same on a
 * target whose search_path differs (the trick pg_dump uses).
 */
final class PostgresSearchPath {

    interface Work<T> {
        T run() throws SQLException;
    }

    private PostgresSearchPath() {
    }

    static <T> T qualified(Connection c, Work<T> work) throws SQLException {
        String saved;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW search_path")) {
            rs.next();
            saved = rs.getString(1);
        }
        setPath(c, "pg_catalog");
        T result;
        try {
            result = work.run();
        } catch (SQLException | RuntimeException e) {
            // In an aborted transaction the reset fails too; the caller's rollback undoes the SET anyway.
            try {
                setPath(c, saved);
            } catch (SQLException resetFailure) {
                e.addSuppressed(resetFailure);
            }
            throw e;
        }
        setPath(c, saved);
        return result;
    }

    private static void setPath(Connection c, String path) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config('search_path', ?, false)")) {
            ps.setString(1, path);
            ps.executeQuery().close();
        }
    }
}
