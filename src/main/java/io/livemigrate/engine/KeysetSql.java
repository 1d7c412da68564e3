package io.livemigrate.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Keyset SQL over a table's paging key, for any engine: range predicates, ordering, and finding the next chunk
 * boundary by walking the key index (never OFFSET over the table, never MIN..MAX arithmetic).
 *
 * <p>Composite keys compare lexicographically. The predicate is spelled out as {@code a > ? OR (a = ? AND b > ?)}
 * with a leading-column bound in front, which both PostgreSQL and MariaDB turn into an index range scan.
 */
public final class KeysetSql {

    /** Binds a statement's parameters, e.g. through {@link #bindRange} or {@link #bindKeys}. */
    @FunctionalInterface
    public interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private final Dialect dialect;
    private final TableInfo table;
    private final List<Column> key;

    public KeysetSql(Dialect dialect, TableInfo table) {
        if (!table.hasKey()) {
            throw new IllegalArgumentException(table.id() + " has no key to page by");
        }
        this.dialect = dialect;
        this.table = table;
        this.key = table.keyColumnDefinitions();
    }

    /**
     * The key columns qualified with the table: an unqualified name could resolve to an output column of the same
     * name (PostgreSQL names {@code "id"::text} "id") and sort the text instead of the key.
     */
    public String orderBy() {
        String table = dialect.table(this.table.id());
        return key.stream().map(c -> table + "." + dialect.quote(c.name())).collect(Collectors.joining(", "));
    }

    public String keyText() {
        return key.stream().map(dialect::keyAsText).collect(Collectors.joining(", "));
    }

    /** {@code WHERE} body for {@code (lower, upper]}; "1=1" when both are null. Bind with {@link #bindRange}. */
    public String rangePredicate(KeyValue lowerExclusive, KeyValue upperInclusive) {
        List<String> parts = new ArrayList<>();
        if (lowerExclusive != null) {
            parts.add(compare(">"));
        }
        if (upperInclusive != null) {
            parts.add(compare("<"));
        }
        return parts.isEmpty() ? "1=1" : String.join(" AND ", parts);
    }

    /** Binds the parameters of {@link #rangePredicate} from {@code index}; returns the next free index. */
    public int bindRange(PreparedStatement ps, int index, KeyValue lowerExclusive, KeyValue upperInclusive)
            throws SQLException {
        if (lowerExclusive != null) {
            index = bindCompare(ps, index, lowerExclusive);
        }
        if (upperInclusive != null) {
            index = bindCompare(ps, index, upperInclusive);
        }
        return index;
    }

    /**
     * Deletes the key range {@code (lowerExclusive, upperInclusive]} from {@code table} (as the dialect writes it,
     * which may be the target's name for the table), unless {@code range} says it is empty. Returns rows deleted.
     */
    public int deleteRange(Connection c, String table, KeyValue lowerExclusive, KeyValue upperInclusive,
                           TargetRange range) throws SQLException {
        if (range == TargetRange.EMPTY) {
            return 0;
        }
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM " + table + " WHERE "
                + rangePredicate(lowerExclusive, upperInclusive))) {
            bindRange(delete, 1, lowerExclusive, upperInclusive);
            return delete.executeUpdate();
        }
    }

    /**
     * The key of the {@code rows}-th row after {@code lowerExclusive}, or null when the range up to
     * {@code upperInclusive} holds fewer rows: then the chunk runs to the upper bound.
     */
    public KeyValue nextBoundary(Connection c, KeyValue lowerExclusive, KeyValue upperInclusive, int rows)
            throws SQLException {
        String sql = "SELECT " + keyText() + " FROM " + dialect.table(table.id())
                + " WHERE " + rangePredicate(lowerExclusive, upperInclusive)
                + " ORDER BY " + orderBy() + " LIMIT 1 OFFSET " + (rows - 1);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bindRange(ps, 1, lowerExclusive, upperInclusive);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? read(rs, 1) : null;
            }
        }
    }

    /**
     * Runs {@code SELECT <count>, <hash sum as text> FROM <from> WHERE <range>} over {@code (lower, upper]}: the chunk
     * digest query of every engine, which differ only in the two expressions and the FROM clause.
     */
    public ChunkDigester.ChunkDigest digest(Connection c, String countAndHashSum, String from, KeyValue lower,
                                            KeyValue upper) throws SQLException {
        String sql = "SELECT " + countAndHashSum + " FROM " + from + " WHERE " + rangePredicate(lower, upper);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            bindRange(ps, 1, lower, upper);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new ChunkDigester.ChunkDigest(rs.getLong(1), rs.getString(2));
            }
        }
    }

    /**
     * {@code WHERE} body matching exactly {@code count} given keys (an IN list, or for a composite key one equality
     * group per key), which both engines answer with key index lookups. Bind with {@link #bindKeys}.
     */
    public String keyIn(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("no keys to match");
        }
        if (key.size() == 1) {
            return col(0) + " IN (" + String.join(", ", java.util.Collections.nCopies(count, param(0))) + ")";
        }
        StringBuilder one = new StringBuilder("(");
        for (int i = 0; i < key.size(); i++) {
            one.append(i > 0 ? " AND " : "").append(col(i)).append(" = ").append(param(i));
        }
        one.append(')');
        return "(" + String.join(" OR ", java.util.Collections.nCopies(count, one.toString())) + ")";
    }

    /** Binds the parameters of {@link #keyIn} from {@code index}; returns the next free index. */
    public int bindKeys(PreparedStatement ps, int index, List<KeyValue> keys) throws SQLException {
        for (KeyValue value : keys) {
            if (value.parts().size() != key.size()) {
                throw new IllegalArgumentException("key of " + table.id() + " has " + key.size() + " columns, value has "
                        + value.parts().size());
            }
            for (String part : value.parts()) {
                ps.setString(index++, part);
            }
        }
        return index;
    }

    /**
     * Hands each row of {@code SELECT <keyText()>, <one digest per column> ...} to {@code sink}: the per-row digest
     * query of every engine, which differ only in the digest expressions and how the statement streams.
     */
    public void readDigestRows(ResultSet rs, int digestColumns, ChunkDigester.RowSink sink) throws SQLException {
        while (rs.next()) {
            String[] digests = new String[digestColumns];
            for (int i = 0; i < digests.length; i++) {
                digests[i] = rs.getString(key.size() + 1 + i);
            }
            sink.accept(read(rs, 1), digests);
        }
    }

    /** Reads a key rendered by {@link #keyText()} from {@code column} on. */
    public KeyValue read(ResultSet rs, int column) throws SQLException {
        List<String> parts = new ArrayList<>(key.size());
        for (int i = 0; i < key.size(); i++) {
            parts.add(rs.getString(column + i));
        }
        return new KeyValue(parts);
    }

    /** Lexicographic {@code key > value} (op ">") or {@code key <= value} (op "<"). */
    private String compare(String op) {
        String strict = op;
        String last = op.equals(">") ? ">" : "<=";
        StringBuilder or = new StringBuilder();
        for (int i = 0; i < key.size(); i++) {
            if (i > 0) {
                or.append(" OR ");
            }
            or.append('(');
            for (int j = 0; j < i; j++) {
                or.append(col(j)).append(" = ").append(param(j)).append(" AND ");
            }
            or.append(col(i)).append(' ').append(i == key.size() - 1 ? last : strict).append(' ').append(param(i));
            or.append(')');
        }
        if (key.size() == 1) {
            return or.toString();
        }
        String lead = col(0) + (op.equals(">") ? " >= " : " <= ") + param(0);
        return "(" + lead + " AND (" + or + "))";
    }

    private int bindCompare(PreparedStatement ps, int index, KeyValue value) throws SQLException {
        if (value.parts().size() != key.size()) {
            throw new IllegalArgumentException("key of " + table.id() + " has " + key.size() + " columns, value has "
                    + value.parts().size());
        }
        if (key.size() > 1) {
            ps.setString(index++, value.parts().get(0));
        }
        for (int i = 0; i < key.size(); i++) {
            for (int j = 0; j < i; j++) {
                ps.setString(index++, value.parts().get(j));
            }
            ps.setString(index++, value.parts().get(i));
        }
        return index;
    }

    private String col(int i) {
        return dialect.quote(key.get(i).name());
    }

    private String param(int i) {
        return dialect.keyParameter(key.get(i));
    }
}
