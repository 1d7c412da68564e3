package io.livemigrate.engine.postgres;

import io.livemigrate.engine.Column;
import io.livemigrate.engine.Dialect;
import io.livemigrate.engine.KeyValue;
import io.livemigrate.engine.KeysetSql;
import io.livemigrate.engine.TableInfo;
import io.livemigrate.engine.TargetRange;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyOperation;
import org.postgresql.copy.CopyOut;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.stream.Collectors;

/**
 * Copies one key range: deletes it on the target (unless known empty), then pipes {@code COPY (SELECT ...) TO STDOUT} from the source
 * into {@code COPY ... FROM STDIN} on the target, on the calling thread, a buffer at a time. Bytes are never turned
 * into Java values. The delete and the insert share the target's open transaction, so a redone range is harmless.
 *
 * <p>Binary format is used only when every copied column is a built-in type: binary array and record values embed
 * type oids, which differ between servers for user-made types. Text format is exact too, given the session settings
 * of {@link PostgresPoolFactory}.
 */
final class PostgresBulkCopier {

    private static final int BUFFER = 64 * 1024;

    /** True when every copied column's type (and array element type) is built in and has binary I/O. */
    private static final String BINARY_SAFE = """
            SELECT coalesce(bool_and(t.oid < 16384 AND t.typsend <> 0 AND t.typreceive <> 0
                                     AND (t.typelem = 0 OR t.typelem < 16384)), true)
            FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
            WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''""";

    private PostgresBulkCopier() {
    }

    static long copyRange(Connection source, Connection target, TableInfo table, KeyValue lowerExclusive,
                          KeyValue upperInclusive, TargetRange range) throws SQLException {
        PostgresDialect dialect = PostgresDialect.INSTANCE;
        KeysetSql keyset = new KeysetSql(dialect, table);
        String name = dialect.table(table.id());
        keyset.deleteRange(target, name, lowerExclusive, upperInclusive, range);
        String columns = table.copiedColumns().stream().map(c -> dialect.quote(c.name()))
                .collect(Collectors.joining(", "));
        String format = binarySafe(source, name) ? " (FORMAT binary)" : "";
        String select = "COPY (SELECT " + columns + " FROM " + dialect.rowsOf(table, table.id())
                + " WHERE " + literalPredicate(table, lowerExclusive, upperInclusive)
                + " ORDER BY " + keyset.orderBy() + ") TO STDOUT" + format;
        String insert = "COPY " + name + " (" + columns + ") FROM STDIN" + format;
        return pipe(source.unwrap(PGConnection.class), target.unwrap(PGConnection.class), select, insert);
    }

    /**
     * The range predicate with the bounds written in as literals, since COPY takes no parameters. Built by
     * {@link KeysetSql} itself through a dialect that inlines one bound, so it is the same predicate the delete uses.
     */
    static String literalPredicate(TableInfo table, KeyValue lowerExclusive, KeyValue upperInclusive) {
        String lower = lowerExclusive == null ? null
                : new KeysetSql(new InlinedBound(table, lowerExclusive), table).rangePredicate(lowerExclusive, null);
        String upper = upperInclusive == null ? null
                : new KeysetSql(new InlinedBound(table, upperInclusive), table).rangePredicate(null, upperInclusive);
        if (lower == null && upper == null) {
            return "1=1";
        }
        return lower == null ? upper : upper == null ? lower : lower + " AND " + upper;
    }

    private static boolean binarySafe(Connection source, String table) throws SQLException {
        try (PreparedStatement ps = source.prepareStatement(BINARY_SAFE)) {
            ps.setString(1, table);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static long pipe(PGConnection source, PGConnection target, String select, String insert)
            throws SQLException {
        CopyOut out = source.getCopyAPI().copyOut(select);
        CopyIn in = null;
        try {
            in = target.getCopyAPI().copyIn(insert);
            // Rows arrive one CopyData message each; gathering them into larger messages saves per-message work.
            byte[] buffer = new byte[BUFFER];
            int used = 0;
            byte[] row;
            while ((row = out.readFromCopy()) != null) {
                if (used + row.length > BUFFER && used > 0) {
                    in.writeToCopy(buffer, 0, used);
                    used = 0;
                }
                if (row.length >= BUFFER) {
                    in.writeToCopy(row, 0, row.length);
                } else {
                    System.arraycopy(row, 0, buffer, used, row.length);
                    used += row.length;
                }
            }
            if (used > 0) {
                in.writeToCopy(buffer, 0, used);
            }
            return in.endCopy();
        } catch (SQLException | RuntimeException e) {
            // Leave both connections out of COPY mode, so the caller can roll back and use them again.
            cancel(in, e);
            cancel(out, e);
            throw e;
        }
    }

    private static void cancel(CopyOperation copy, Exception failure) {
        if (copy == null || !copy.isActive()) {
            return;
        }
        try {
            copy.cancelCopy();
        } catch (SQLException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /** A dialect whose key parameters are the columns' values in one bound, written as literals. */
    private record InlinedBound(TableInfo table, KeyValue bound) implements Dialect {

        @Override
        public String quote(String identifier) {
            return PostgresDialect.INSTANCE.quote(identifier);
        }

        @Override
        public String keyAsText(Column column) {
            return PostgresDialect.INSTANCE.keyAsText(column);
        }

        @Override
        public String keyParameter(Column column) {
            int at = table.keyColumns().indexOf(column.name());
            return PostgresDialect.INSTANCE.keyLiteral(column, bound.parts().get(at));
        }

        @Override
        public PreparedStatement streamingQuery(Connection connection, String select) throws SQLException {
            return PostgresDialect.INSTANCE.streamingQuery(connection, select);
        }
    }
}
