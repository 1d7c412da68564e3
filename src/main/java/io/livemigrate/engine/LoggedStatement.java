package io.livemigrate.engine;

import java.util.List;

/**
 * One statement an application ran, as a server's statement log recorded it: the session that ran it, when, how long
 * it took there, as whom, in which database, and its bound parameters (PostgreSQL's extended protocol logs them apart
 * from the text; MySQL/MariaDB logs inline them, so the list is empty).
 *
 * @param session        what identifies the session in the log (PostgreSQL session id, MySQL thread id)
 * @param loggedAt       the log's own timestamp text, kept as written (null when the log gives none for the entry)
 * @param durationMicros the server's duration, or -1 when the log gives none (log_statement, the general log)
 * @param user           the role or user that ran it, or null when the log does not say
 * @param database       the database (MySQL: the current schema) it ran in, or null when the log does not say
 * @param application    the client's application name where the log records it, else null
 * @param sql            the statement text; PostgreSQL parameters appear as {@code $1}, {@code $2}
 * @param parameters     the values of {@code $1..$n} in order as the server logged them (null for SQL NULL)
 */
public record LoggedStatement(String session, String loggedAt, long durationMicros, String user, String database,
                              String application, String sql, List<String> parameters) {

    public LoggedStatement {
        parameters = parameters == null ? List.of() : java.util.Collections.unmodifiableList(
                new java.util.ArrayList<>(parameters));
    }
}
