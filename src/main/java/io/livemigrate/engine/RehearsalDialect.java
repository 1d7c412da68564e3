package io.livemigrate.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * What the rehearsal (replaying the application's logged reads on both sides) does differently per engine: which
 * statement logs it reads, how a replay session is opened so that it looks like the application's and is not logged
 * itself, how logged parameters are bound, and how a plan is asked for.
 */
public interface RehearsalDialect {

    /** The statement log layouts of this engine. */
    List<StatementLogFormat> logFormats();

    /** The server settings that make the logs {@link #logFormats()} reads, for messages and the README. */
    String loggingSettings();

    /**
     * A session on {@code endpoint} as an application would have one: the server's default settings (no livemigrate
     * session set-up), autocommit, an application name that marks it as livemigrate's, and its own statements kept out
     * of the statement log where the server lets a session do that.
     */
    Connection openSession(Endpoint endpoint) throws SQLException;

    /** Whether a logged statement came from one of livemigrate's own sessions, not from the application. */
    default boolean fromLivemigrate(LoggedStatement statement) {
        return statement.application() != null && statement.application().startsWith("livemigrate");
    }

    /**
     * Statements that make a session opened by {@link #openSession} act as {@code role} (the user the log shows),
     * or an empty list where the engine cannot switch users inside a session.
     */
    List<String> actAs(String role, String loginUser);

    /** The statement prepared for JDBC with its logged parameters bound, so it runs as the application sent it. */
    PreparedStatement prepare(Connection session, String sql, List<String> parameters) throws SQLException;

    /** The statement that shows the server's plan for {@code sql} (same parameters as {@link #prepare}). */
    String explain(String sql);
}
