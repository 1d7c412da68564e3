package io.livemigrate.engine.mysql;

import com.mysql.cj.jdbc.JdbcStatement;
import io.livemigrate.engine.KeyValue;
import io.livemigrate.engine.KeysetSql;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;
import io.livemigrate.engine.TargetRange;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Set;

/**
 * Copies one key range: deletes it on the target, then streams the source rows into the target, in the caller's
 * target transaction, so a redo after a crash replaces the range instead of duplicating it.
 *
 * <p>The source is read with a streaming result set (fetch size Integer.MIN_VALUE) and piped through
 * {@link MySqlRowStream} into {@code LOAD DATA LOCAL INFILE}; no part of the range is buffered beyond one row.
 * When the load is refused before any row was read, the same result set feeds {@link MySqlInsertWriter}.
 */
final class MySqlBulkCopier {

    /**
     * ER_NOT_ALLOWED_COMMAND (older MySQL), ER_CLIENT_LOCAL_FILES_DISABLED (MySQL 8.0.19+) and
     * ER_LOAD_INFILE_CAPABILITY_DISABLED (MariaDB 10.4+).
     */
    private static final Set<Integer> LOCAL_INFILE_REFUSED = Set.of(1148, 3948, 4166);

    private MySqlBulkCopier() {
    }

    static long copy(Connection source, Connection target, TableInfo table, TableId targetTable,
                     KeyValue lowerExclusive, KeyValue upperInclusive, TargetRange targetRange) throws SQLException {
        MySqlDialect d = MySqlDialect.INSTANCE;
        KeysetSql keys = new KeysetSql(d, table);
        String qualified = d.table(table.id());
        String range = keys.rangePredicate(lowerExclusive, upperInclusive);
        keys.deleteRange(target, d.table(targetTable), lowerExclusive, upperInclusive, targetRange);
        MySqlCopyColumns columns = new MySqlCopyColumns(table);
        String select = "SELECT " + columns.selectList() + " FROM " + qualified + " WHERE " + range
                + " ORDER BY " + keys.orderBy();
        try (PreparedStatement read = source.prepareStatement(select, ResultSet.TYPE_FORWARD_ONLY,
                ResultSet.CONCUR_READ_ONLY)) {
            read.setFetchSize(Integer.MIN_VALUE);
            keys.bindRange(read, 1, lowerExclusive, upperInclusive);
            try (ResultSet rows = read.executeQuery()) {
                MySqlRowStream stream = new MySqlRowStream(rows, columns.size());
                try {
                    return loadData(target, table, targetTable, columns, stream);
                } catch (SQLException e) {
                    if (stream.touched() || !isLocalInfileRefusal(e)) {
                        throw e;
                    }
                    return MySqlInsertWriter.write(target, table, targetTable, columns, rows);
                }
            }
        }
    }

    private static long loadData(Connection target, TableInfo table, TableId targetTable, MySqlCopyColumns columns,
                                 MySqlRowStream stream) throws SQLException {
        String qualified = MySqlDialect.INSTANCE.table(targetTable);
        // 'stream' names nothing: the driver sends the InputStream set on the statement instead of a file
        String sql = "LOAD DATA LOCAL INFILE 'stream' INTO TABLE " + qualified + " CHARACTER SET binary"
                + " FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' "
                + columns.loadDataTargets();
        try (Statement load = target.createStatement()) {
            load.unwrap(JdbcStatement.class).setLocalInfileInputStream(stream);
            long loaded;
            try {
                loaded = load.executeLargeUpdate(sql);
            } catch (SQLException e) {
                throw stream.failure() != null ? stream.failure() : e;
            }
            if (stream.failure() != null) {
                throw stream.failure();
            }
            if (loaded != stream.rowCount()) {
                // LOCAL implies IGNORE: a rejected row is only a warning, so check the count ourselves
                throw new SQLException("LOAD DATA into " + qualified + " stored " + loaded + " of "
                        + stream.rowCount() + " rows" + MySqlWarnings.summary(load.getWarnings()));
            }
            new MySqlWarnings(table, "LOAD DATA into " + qualified).failOnAny(load);
            return loaded;
        }
    }

    private static boolean isLocalInfileRefusal(SQLException e) {
        String message = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        return LOCAL_INFILE_REFUSED.contains(e.getErrorCode()) || message.contains("local data is disabled")
                || message.contains("local infile");
    }
}
