package io.livemigrate.engine.postgres;

import io.livemigrate.engine.TableDdl;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Recreates a source table from pg_catalog: columns in CREATE TABLE; the paging key's index (primary key, or the
 * unique key paged by) as a statement of its own, built once the data is in: COPY into a heap without a btree to
 * keep in order loads in about half the time, and one sorted build of the index is cheaper than millions of
 * inserts into it. Everything else (unique, exclusion and check constraints, plain indexes) is built later too, foreign
 * keys last (see {@link TableDdl} for when).
 * The server prints expressions and definitions itself (pg_get_expr, pg_get_constraintdef, pg_get_indexdef), under a
 * pg_catalog-only search_path so they carry schemas.
 */
final class PostgresDdl {

    private static final String COLUMNS = """
            SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attgenerated, a.attidentity,
                   pg_get_expr(ad.adbin, ad.adrelid),
                   CASE WHEN a.attcollation <> t.typcollation THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END
            FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
            LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
            LEFT JOIN pg_collation co ON co.oid = a.attcollation LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
            WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum""";

    /**
     * The identity column's sequence name and options, so the target hands out the same range of values from a
     * sequence of the same name (cutover sets its value by that name).
     */
    private static final String IDENTITY_SEQUENCE = """
            SELECT pg_get_serial_sequence(?, ?), format_type(q.seqtypid, NULL), q.seqincrement, q.seqmin, q.seqmax, q.seqstart, q.seqcache, q.seqcycle
            FROM pg_sequence q WHERE q.seqrelid = pg_get_serial_sequence(?, ?)::regclass""";

    /** Constraints declared on this table itself (inherited ones come with their parent). */
    private static final String CONSTRAINTS = """
            SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conrelid = ? AND contype IN ('p', 'u', 'x', 'c', 'f') AND conislocal ORDER BY conname""";

    /** Indexes that no constraint owns: those come with their constraint. */
    private static final String PLAIN_INDEXES = """
            SELECT ic.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
            WHERE i.indrelid = ? AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid
                                                   AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x'))
            ORDER BY ic.relname""";

    private PostgresDdl() {
    }

    static TableDdl tableDdl(Connection c, TableInfo table) throws SQLException {
        return PostgresSearchPath.qualified(c, () -> build(c, table.id(), table.keyName()));
    }

    private static TableDdl build(Connection c, TableId id, String keyName) throws SQLException {
        long oid = PostgresCatalog.oid(c, id)
                .orElseThrow(() -> new IllegalStateException("table " + id + " no longer exists on the source"));
        String table = PostgresDialect.INSTANCE.table(id);
        List<String> definitions = columns(c, oid, table);
        String keyIndex = null;
        List<String> indexes = new ArrayList<>();
        List<String> constraints = new ArrayList<>();
        List<String> foreignKeys = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(CONSTRAINTS)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = q(rs.getString(1));
                    String type = rs.getString(2);
                    String statement = addConstraint(table, name, rs.getString(3));
                    if (pagesBy(keyName, type.equals("p"), rs.getString(1))) {
                        keyIndex = statement;
                    } else if (type.equals("p")) {
                        // A primary key the copy does not page by stays in CREATE TABLE, as the source has it.
                        definitions.add("CONSTRAINT " + name + " " + rs.getString(3));
                    } else if (type.equals("f")) {
                        foreignKeys.add(statement);
                    } else if (type.equals("u") || type.equals("x")) {
                        constraints.add(statement);
                    } else {
                        indexes.add(statement);
                    }
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(PLAIN_INDEXES)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    // IF NOT EXISTS lets a retried index build step skip what an earlier attempt finished.
                    // A partitioned table's index prints as ON ONLY (pg_dump attaches its partitions' indexes one by
                    // one): built without ONLY, it is built on every partition.
                    String statement = rs.getString(2)
                            .replaceFirst("^CREATE (UNIQUE )?INDEX ", "CREATE $1INDEX IF NOT EXISTS ")
                            .replaceFirst(" ON ONLY ", " ON ");
                    if (pagesBy(keyName, false, rs.getString(1))) {
                        keyIndex = statement;
                    } else if (statement.startsWith("CREATE UNIQUE ")) {
                        constraints.add(statement);
                    } else {
                        indexes.add(statement);
                    }
                }
            }
        }
        // A partitioned table comes with its partitions, in one statement string: PgJDBC sends them in one implicit
        // transaction, so a restart never finds the table without them.
        List<String> schemas = new ArrayList<>();
        List<String> create = new ArrayList<>();
        create.add("CREATE TABLE " + table + " (\n    " + String.join(",\n    ", definitions) + "\n)"
                + PostgresPartitions.partitionBy(c, oid));
        create.addAll(PostgresPartitions.createPartitions(c, oid, schemas));
        List<String> prerequisites = new ArrayList<>(PostgresTypeDdl.prerequisites(c, oid, id.schema()));
        schemas.stream().distinct().map(s -> "CREATE SCHEMA IF NOT EXISTS " + q(s)).forEach(prerequisites::add);
        return new TableDdl(prerequisites, String.join(";\n", create), keyIndex, indexes, constraints, foreignKeys);
    }

    /** Whether the index (named {@code index}) is the paging key {@link PostgresCatalog} chose and named. */
    private static boolean pagesBy(String keyName, boolean primary, String index) {
        return primary ? "PRIMARY KEY".equals(keyName) : ("UNIQUE " + index).equals(keyName);
    }

    private static List<String> columns(Connection c, long oid, String table) throws SQLException {
        List<String> definitions = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(COLUMNS)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    StringBuilder col = new StringBuilder(q(rs.getString(1))).append(' ').append(rs.getString(2));
                    if (rs.getString(7) != null) {
                        col.append(" COLLATE ").append(rs.getString(7));
                    }
                    String expr = rs.getString(6);
                    boolean generated = !rs.getString(4).isEmpty();
                    if (expr != null && !generated) {
                        col.append(" DEFAULT ").append(expr);
                    }
                    if (rs.getBoolean(3)) {
                        col.append(" NOT NULL");
                    }
                    if (generated) {
                        col.append(" GENERATED ALWAYS AS (").append(expr).append(") STORED");
                    }
                    String identity = rs.getString(5);
                    if (!identity.isEmpty()) {
                        col.append(identity(c, table, rs.getString(1), identity));
                    }
                    definitions.add(col.toString());
                }
            }
        }
        return definitions;
    }

    private static String identity(Connection c, String table, String column, String kind) throws SQLException {
        String clause = " GENERATED " + ("a".equals(kind) ? "ALWAYS" : "BY DEFAULT") + " AS IDENTITY";
        try (PreparedStatement ps = c.prepareStatement(IDENTITY_SEQUENCE)) {
            ps.setString(1, table);
            ps.setString(2, column);
            ps.setString(3, table);
            ps.setString(4, column);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? clause + " (SEQUENCE NAME " + rs.getString(1) + " " + PostgresTypeDdl.sequenceOptions(rs, 2, false) + ")"
                        : clause;
            }
        }
    }

    private static String addConstraint(String table, String name, String definition) {
        return "ALTER TABLE " + table + " ADD CONSTRAINT " + name + " " + definition;
    }

    private static String q(String identifier) {
        return PostgresDialect.INSTANCE.quote(identifier);
    }
}
