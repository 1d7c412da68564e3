package io.livemigrate.engine.mysql;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.livemigrate.engine.Endpoint;

/**
 * Connection pools set up for exact copying. Every session reads and writes values in their stored form:
 * <ul>
 *   <li>{@code time_zone='+00:00'}: TIMESTAMP text is the stored UTC instant on both sides, no DST gaps;</li>
 *   <li>{@code sql_mode} without strict mode or NO_ZERO_DATE: zero dates and other values the source accepted
 *       load on the target; NO_AUTO_VALUE_ON_ZERO keeps an AUTO_INCREMENT value 0 as 0;</li>
 *   <li>{@code foreign_key_checks=0}: tables load in any order, and changes replay in source order, not
 *       constraint order. {@code unique_checks} stays 1 on purpose: with both off, MariaDB 10.6+ loads into an
 *       empty table under a table X lock (MDEV-24818), so the first slices of two partitions of one table deadlock,
 *       and MariaDB 11.4 left the victim's LOAD DATA LOCAL waiting for its file for ever (seen in
 *       CopyKillResumeTest). Secondary unique indexes are built after the copy, so the check costs it nothing;</li>
 *   <li>{@code character_set_results=NULL}: the server sends each column's raw bytes in the column's own
 *       character set, which LOAD DATA ... CHARACTER SET binary stores unchanged (latin1 and utf8mb4 alike).
 *       Connector/J decodes strings by each column's reported character set, so catalog reads still work.</li>
 * </ul>
 */
final class MySqlPools {

    static final String SESSION_SETUP = "SET SESSION time_zone='+00:00', "
            + "sql_mode='NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION', foreign_key_checks=0, unique_checks=1, "
            + "character_set_results=NULL";

    private MySqlPools() {
    }

    static HikariDataSource open(Endpoint endpoint, int maxConnections) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("livemigrate-" + endpoint.role());
        config.setDriverClassName("com.mysql.cj.jdbc.Driver");
        config.setJdbcUrl(connectorJUrl(endpoint.url()));
        config.setUsername(endpoint.user());
        config.setPassword(endpoint.password().reveal());
        config.setMaximumPoolSize(Math.max(1, maxConnections));
        config.setConnectionTimeout(10_000);
        // fail at once on a wrong host or password; Hikari keeps the driver's SQLException (28000, 08S01) as cause
        config.setInitializationFailTimeout(1);
        config.setConnectionInitSql(SESSION_SETUP);
        // READ COMMITTED: a range DELETE then takes no gap locks, so partitions of one table loading side by side
        // do not deadlock on each other's boundaries.
        config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        config.addDataSourceProperty("connectTimeout", "10000");
        config.addDataSourceProperty("allowLoadLocalInfile", "true");
        config.addDataSourceProperty("useCursorFetch", "false");
        config.addDataSourceProperty("rewriteBatchedStatements", "true");
        // UTF-8 maps to utf8mb4, so 4-byte characters in statements and key text survive
        config.addDataSourceProperty("characterEncoding", "UTF-8");
        config.addDataSourceProperty("useServerPrepStmts", "false");
        config.addDataSourceProperty("cachePrepStmts", "true");
        config.addDataSourceProperty("allowPublicKeyRetrieval", "true");
        // the session runs in UTC (above); tell the driver so any getTimestamp agrees
        config.addDataSourceProperty("connectionTimeZone", "UTC");
        config.addDataSourceProperty("forceConnectionTimeZoneToSession", "false");
        config.addDataSourceProperty("tcpKeepAlive", "true");
        return new HikariDataSource(config);
    }

    /** Only Connector/J is on the classpath; it speaks to MariaDB too, so MariaDB URLs are re-spelled for it. */
    static String connectorJUrl(String url) {
        if (url.startsWith("jdbc:mariadb://")) {
            return "jdbc:mysql://" + url.substring("jdbc:mariadb://".length());
        }
        return url;
    }
}
