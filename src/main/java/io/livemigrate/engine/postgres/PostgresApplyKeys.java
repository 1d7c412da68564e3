package io.livemigrate.engine.postgres;

import io.livemigrate.engine.ApplyKeys;
import io.livemigrate.engine.ForeignKey;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;
import io.livemigrate.engine.ValueIdentity;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The unique keys, foreign keys and column identities of a PostgreSQL table, from pg_catalog. */
final class PostgresApplyKeys {

    /** Unique indexes on plain columns (partial ones too: they order more than needed, never less). */
    private static final String UNIQUE = """
            SELECT i.indexrelid, a.attname, coalesce((to_jsonb(i) ->> 'indnullsnotdistinct')::boolean, false)
            FROM pg_index i
            CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
            WHERE i.indrelid = ? AND i.indisunique AND i.indexprs IS NULL AND k.ord <= i.indnkeyatts
            ORDER BY i.indexrelid, k.ord""";

    /** Foreign keys of the table as the child; a partition's copy of its parent table's key is left out. */
    private static final String FOREIGN = """
            SELECT con.conname, pn.nspname, pc.relname, ca.attname, fa.attname
            FROM pg_constraint con
            JOIN pg_class pc ON pc.oid = con.confrelid
            JOIN pg_namespace pn ON pn.oid = pc.relnamespace
            CROSS JOIN LATERAL unnest(con.conkey, con.confkey) WITH ORDINALITY AS k(ck, fk, ord)
            JOIN pg_attribute ca ON ca.attrelid = con.conrelid AND ca.attnum = k.ck
            JOIN pg_attribute fa ON fa.attrelid = con.confrelid AND fa.attnum = k.fk
            WHERE con.conrelid = ? AND con.contype = 'f' AND con.conparentid = 0
            ORDER BY con.conname, k.ord""";

    /** Each column's type (a domain's base type) and whether its collation is deterministic (12+). */
    private static final String COLUMNS = """
            SELECT a.attname, coalesce(bt.typname, t.typname), coalesce(bt.typtype, t.typtype),
                   coalesce((to_jsonb(co) ->> 'collisdeterministic')::boolean, true)
            FROM pg_attribute a
            JOIN pg_type t ON t.oid = a.atttypid
            LEFT JOIN pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype
            LEFT JOIN pg_collation co ON co.oid = a.attcollation
            WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped""";

    /**
     * Types whose output text is one per value (pgoutput sends the output text): integers, UUIDs, bytes, booleans,
     * dates and times (one output form per value in one session), and text under a deterministic collation, which
     * compares bytes. Not numeric (1.0 equals 1.00), floats (-0 equals 0), citext, json, arrays, ranges.
     */
    private static final Set<String> EXACT = Set.of("int2", "int4", "int8", "oid", "uuid", "bytea", "bool", "date",
            "timestamp", "timestamptz", "time", "text", "varchar", "bpchar", "name", "char");

    private PostgresApplyKeys() {
    }

    static ApplyKeys read(Connection c, TableInfo table) throws SQLException {
        long oid = PostgresCatalog.oid(c, table.id()).orElseThrow(() -> new SQLException(
                "table " + table.id() + " does not exist on the source"));
        return new ApplyKeys(uniqueKeys(c, oid), foreignKeys(c, oid, table.id()), identities(c, oid));
    }

    private static List<ApplyKeys.UniqueKey> uniqueKeys(Connection c, long oid) throws SQLException {
        Map<Long, List<String>> columns = new LinkedHashMap<>();
        Map<Long, Boolean> nullsDistinct = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(UNIQUE)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    columns.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(rs.getString(2));
                    nullsDistinct.put(rs.getLong(1), !rs.getBoolean(3));
                }
            }
        }
        List<ApplyKeys.UniqueKey> keys = new ArrayList<>();
        columns.forEach((index, cols) -> keys.add(new ApplyKeys.UniqueKey(cols, nullsDistinct.get(index))));
        return keys;
    }

    private static List<ForeignKey> foreignKeys(Connection c, long oid, TableId child) throws SQLException {
        Map<String, List<String[]>> rows = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(FOREIGN)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new String[] {rs.getString(2),
                            rs.getString(3), rs.getString(4), rs.getString(5)});
                }
            }
        }
        List<ForeignKey> keys = new ArrayList<>();
        rows.forEach((name, parts) -> keys.add(new ForeignKey(name, child, parts.stream().map(p -> p[2]).toList(),
                new TableId(parts.get(0)[0], parts.get(0)[1]), parts.stream().map(p -> p[3]).toList())));
        return keys;
    }

    private static Map<String, ValueIdentity> identities(Connection c, long oid) throws SQLException {
        Map<String, ValueIdentity> identity = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(COLUMNS)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    boolean exact = (EXACT.contains(rs.getString(2)) || "e".equals(rs.getString(3)))
                            && rs.getBoolean(4);
                    identity.put(rs.getString(1), exact ? ValueIdentity.EXACT : ValueIdentity.NONE);
                }
            }
        }
        return identity;
    }
}
