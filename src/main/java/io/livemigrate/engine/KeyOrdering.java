package io.livemigrate.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

/**
 * How a server orders the values of a table's text key columns. The copy's key ranges are computed on the source
 * and evaluated on both sides (a restart's, retry's or repair's range delete on the target, verify's chunks), so they
 * mean the same rows only when both sides order the key alike: same collation, same provider, same collation
 * library version (see docs/design.md, "Key ranges and collations").
 *
 * <p>Each method maps a key column to a description that two servers share exactly when they order that column
 * alike ({@code a byte-order collation}, {@code collation und-x-icu (ICU und, version 153.14)}); columns that
 * are not text are absent.
 */
public interface KeyOrdering {

    /** The ordering of {@code keyColumns} of an existing table on this server. */
    Map<String, String> of(Connection connection, TableId table, List<String> keyColumns) throws SQLException;

    /** The ordering the table copy creates on {@code target} from the source's definition would have. */
    Map<String, String> asCreated(Connection source, Connection target, TableId sourceTable, List<String> keyColumns)
            throws SQLException;
}
