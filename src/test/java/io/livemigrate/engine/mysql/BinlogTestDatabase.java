package io.livemigrate.engine.mysql;

import io.livemigrate.demo.EmbeddedServer;
import io.livemigrate.engine.ChangePosition;
import io.livemigrate.engine.Endpoint;
import io.livemigrate.engine.Secret;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;
import io.livemigrate.testing.TestDatabases;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/**
 * A fresh database on the test JVM's embedded MariaDB, and binlog streams over its tables opened at the current
 * position: the setup the change-stream tests share.
 */
final class BinlogTestDatabase {

    /** How long a test waits for an event it expects. */
    static final Duration WAIT = Duration.ofSeconds(20);

    final String url;
    final String db;

    BinlogTestDatabase(String prefix) {
        this.url = TestDatabases.mariadb().newDatabase(prefix);
        this.db = EmbeddedServer.databaseOf(url);
    }

    Connection connect() throws SQLException {
        return TestDatabases.mariadb().connect(db);
    }

    /** The stream's source: the database as the embedded server's root user reaches it. */
    Endpoint endpoint() {
        return new Endpoint("source", url, "root", Secret.of(""));
    }

    TableInfo describe(Connection c, String table) throws SQLException {
        return MySqlCatalog.describe(c, new TableId(db, table)).orElseThrow();
    }

    /** A stream of {@code tables} from the binlog position {@code c} sees now. */
    MySqlChangeStream open(Connection c, List<TableInfo> tables) throws SQLException {
        ChangePosition from = MySqlPosition.capture(c);
        return MySqlChangeStream.open(endpoint(), from, tables);
    }
}
