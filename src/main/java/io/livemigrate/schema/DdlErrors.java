package io.livemigrate.schema;

import java.sql.SQLException;

/** Recognises "that already exists" answers to DDL, which a re-run of a half-finished step may get. */
public final class DdlErrors {

    private DdlErrors() {
    }

    public static boolean alreadyExists(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        // PostgreSQL: duplicate_table (also for indexes), duplicate_object (constraints).
        // MySQL/MariaDB: 1061 duplicate key name, 1826 duplicate foreign key, 1022/121 duplicate key on write.
        return state.equals("42P07") || state.equals("42710")
                || e.getErrorCode() == 1061 || e.getErrorCode() == 1826 || e.getErrorCode() == 1022
                || e.getErrorCode() == 121;
    }
}
