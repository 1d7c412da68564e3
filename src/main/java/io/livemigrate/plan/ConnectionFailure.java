package io.livemigrate.plan;

import io.livemigrate.engine.Endpoint;

import java.sql.SQLException;

/**
 * A server that cannot be reached or will not let us in, turned into one line that says which side, what
 * happened and what to do. Built from SQLState and the exception class only: driver messages can echo
 * connection properties, so they are not passed through.
 */
public final class ConnectionFailure extends RuntimeException {

    private ConnectionFailure(String message) {
        super(message);
    }

    public static ConnectionFailure of(Endpoint endpoint, Throwable error) {
        String role = endpoint.role();
        return of(role + " (" + endpoint.safeUrl() + ", user " + endpoint.user() + ")", role + ".url",
                role + ".user and " + role + ".password in the plan", error);
    }

    /**
     * The job repository named by --repository (or LIVEMIGRATE_REPOSITORY_URL), which is not in the plan.
     *
     * @param location the repository's URL, any password masked
     */
    public static ConnectionFailure ofRepository(String location, String user, Throwable error) {
        return of("job repository (" + location + (user == null || user.isEmpty() ? "" : ", user " + user) + ")",
                "--repository (or LIVEMIGRATE_REPOSITORY_URL)",
                "LIVEMIGRATE_REPOSITORY_USER and LIVEMIGRATE_REPOSITORY_PASSWORD", error);
    }

    private static ConnectionFailure of(String where, String urlKey, String loginKeys, Throwable error) {
        SQLException sql = findSqlException(error);
        String state = sql == null || sql.getSQLState() == null ? "" : sql.getSQLState();
        int code = sql == null ? 0 : sql.getErrorCode();
        String what;
        if (state.equals("28P01") || state.equals("28000") || code == 1045) {
            what = "the server refused the login: wrong user or password; check " + loginKeys;
        }
        else if (state.equals("3D000") || code == 1049) {
            what = "the database in the URL does not exist on that server; create it or fix " + urlKey;
        }
        else if (state.startsWith("08") || causedBy(error, java.net.ConnectException.class)
                || causedBy(error, java.net.UnknownHostException.class)) {
            what = "cannot reach the server: is it running, and are host and port in " + urlKey + " right?";
        }
        else {
            what = "cannot connect (SQLState " + (state.isEmpty() ? "unknown" : state) + ", error code " + code
                    + "); check " + urlKey + ", and " + loginKeys;
        }
        return new ConnectionFailure(where + ": " + what);
    }

    private static SQLException findSqlException(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException s) {
                return s;
            }
        }
        return null;
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
