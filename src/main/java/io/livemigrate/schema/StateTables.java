package io.livemigrate.schema;

import io.livemigrate.engine.Engine;
import io.livemigrate.repository.SchemaCreationLock;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * livemigrate's own tables on a server it writes to ({@code livemigrate.catchup_state}, {@code changed_keys},
 * {@code deferred_ddl}; see {@link Engine#catchupStateDdl()}), created when missing.
 */
public final class StateTables {

    private StateTables() {
    }

    /**
     * Creates the missing tables, in autocommit (DDL commits on MySQL anyway), holding the
     * {@link SchemaCreationLock} on {@code c}: two plans' copies into one database, or a catch-up and a cutover
     * starting together, otherwise race on PostgreSQL ("duplicate key value violates unique constraint
     * pg_namespace_nspname_index").
     */
    public static void ensure(Connection c, Engine engine) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(true);
        try (SchemaCreationLock ignored = SchemaCreationLock.acquire(c); Statement st = c.createStatement()) {
            for (String ddl : engine.catchupStateDdl()) {
                st.execute(ddl);
            }
        }
        finally {
            c.setAutoCommit(autoCommit);
        }
    }
}
