package io.livemigrate.engine.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The objects a table needs before it can be created on a fresh target: its schema, the enums and domains its
 * columns use (through arrays and domains over domains), and the sequences its defaults call. Every statement is
 * safe to repeat, and a type comes after the types it is built on. Sequences start where the source's was
 * declared to start: their current values are set at cutover.
 *
 * <p>Must run under {@link PostgresSearchPath#qualified} so that printed types and defaults carry their schema.
 */
final class PostgresTypeDdl {

    private static final String COLUMN_TYPES = """
            SELECT DISTINCT atttypid FROM pg_attribute WHERE attrelid = ? AND attnum > 0 AND NOT attisdropped""";

    /**
     * Types a user made (built-ins exist everywhere) and the extension that owns a type, if any, with the schema it
     * is installed in: the target gets the same extension there, so the type has the same qualified name.
     */
    private static final String TYPE = """
            SELECT t.typtype, t.typelem, t.typcategory, t.typbasetype, n.nspname, t.typname,
                   format_type(t.typbasetype, t.typtypmod), t.typnotnull, t.typdefault,
                   CASE WHEN t.typcollation <> bt.typcollation THEN quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END,
                   t.oid >= 16384, e.extname, en.nspname
            FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
            LEFT JOIN pg_depend d ON d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e'
            LEFT JOIN pg_extension e ON e.oid = d.refobjid LEFT JOIN pg_namespace en ON en.oid = e.extnamespace
            LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
            LEFT JOIN pg_collation co ON co.oid = t.typcollation LEFT JOIN pg_namespace cn ON cn.oid = co.collnamespace
            WHERE t.oid = ?""";

    private static final String ENUM_LABELS = """
            SELECT enumlabel FROM pg_enum WHERE enumtypid = ? ORDER BY enumsortorder""";

    private static final String DOMAIN_CHECKS = """
            SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE contypid = ? AND contype = 'c' ORDER BY conname""";

    /** Sequences the table's column defaults depend on (nextval('s'::regclass) records that dependency). */
    private static final String DEFAULT_SEQUENCES = """
            SELECT DISTINCT n.nspname, s.relname, format_type(q.seqtypid, NULL), q.seqincrement, q.seqmin, q.seqmax,
                   q.seqstart, q.seqcache, q.seqcycle
            FROM pg_attrdef ad
            JOIN pg_depend d ON d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid
                            AND d.refclassid = 'pg_class'::regclass
            JOIN pg_class s ON s.oid = d.refobjid AND s.relkind = 'S'
            JOIN pg_namespace n ON n.oid = s.relnamespace
            JOIN pg_sequence q ON q.seqrelid = s.oid
            WHERE ad.adrelid = ?
            ORDER BY 1, 2""";

    private final Connection c;
    private final Set<String> statements = new LinkedHashSet<>();
    private final Set<Long> visited = new HashSet<>();

    private PostgresTypeDdl(Connection c) {
        this.c = c;
    }

    static List<String> prerequisites(Connection c, long tableOid, String schema) throws SQLException {
        PostgresTypeDdl ddl = new PostgresTypeDdl(c);
        ddl.schema(schema);
        for (long type : CatalogQueries.longs(c, COLUMN_TYPES, tableOid)) {
            ddl.type(type);
        }
        ddl.sequences(tableOid);
        return new ArrayList<>(ddl.statements);
    }

    /**
     * Sequence options from the columns type, increment, min, max, start, cache, cycle of {@code rs}, as CREATE
     * SEQUENCE and identity columns both spell them; an identity's type is its column's, and may not be repeated.
     */
    static String sequenceOptions(ResultSet rs, int first, boolean withType) throws SQLException {
        return (withType ? "AS " + rs.getString(first) + " " : "") + "INCREMENT BY " + rs.getLong(first + 1)
                + " MINVALUE " + rs.getLong(first + 2) + " MAXVALUE " + rs.getLong(first + 3)
                + " START WITH " + rs.getLong(first + 4) + " CACHE " + rs.getLong(first + 5)
                + (rs.getBoolean(first + 6) ? " CYCLE" : " NO CYCLE");
    }

    private void schema(String name) {
        statements.add("CREATE SCHEMA IF NOT EXISTS " + q(name));
    }

    /** Depth first, so what a type is built on is listed before it. */
    private void type(long oid) throws SQLException {
        if (oid == 0 || !visited.add(oid)) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(TYPE)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return;
                }
                String typtype = rs.getString(1);
                if ("A".equals(rs.getString(3)) && rs.getLong(2) != 0) {
                    type(rs.getLong(2));
                    return;
                }
                if (!rs.getBoolean(11)) {
                    return;
                }
                if (rs.getString(12) != null) {
                    extension(rs.getString(12), rs.getString(13));
                } else if ("e".equals(typtype)) {
                    enumType(oid, rs.getString(5), rs.getString(6));
                } else if ("d".equals(typtype)) {
                    type(rs.getLong(4));
                    domain(oid, rs);
                }
            }
        }
    }

    /** The extension in the schema the source has it in; whether the target server offers it, check says. */
    private void extension(String name, String schema) {
        schema(schema);
        statements.add("CREATE EXTENSION IF NOT EXISTS " + q(name) + " WITH SCHEMA " + q(schema));
    }

    private void enumType(long oid, String schema, String name) throws SQLException {
        List<String> labels = new ArrayList<>();
        for (String label : CatalogQueries.strings(c, ENUM_LABELS, oid)) {
            labels.add(PostgresDialect.literal(label));
        }
        schema(schema);
        statements.add(ifTypeMissing(schema, name,
                "CREATE TYPE " + q(schema) + "." + q(name) + " AS ENUM (" + String.join(", ", labels) + ")"));
    }

    private void domain(long oid, ResultSet type) throws SQLException {
        String schema = type.getString(5);
        String name = type.getString(6);
        StringBuilder sql = new StringBuilder("CREATE DOMAIN ").append(q(schema)).append('.').append(q(name))
                .append(" AS ").append(type.getString(7));
        if (type.getString(10) != null) {
            sql.append(" COLLATE ").append(type.getString(10));
        }
        if (type.getString(9) != null) {
            sql.append(" DEFAULT ").append(type.getString(9));
        }
        if (type.getBoolean(8)) {
            sql.append(" NOT NULL");
        }
        try (PreparedStatement ps = c.prepareStatement(DOMAIN_CHECKS)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sql.append(" CONSTRAINT ").append(q(rs.getString(1))).append(' ').append(rs.getString(2));
                }
            }
        }
        schema(schema);
        statements.add(ifTypeMissing(schema, name, sql.toString()));
    }

    private void sequences(long tableOid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(DEFAULT_SEQUENCES)) {
            ps.setLong(1, tableOid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    schema(rs.getString(1));
                    statements.add("CREATE SEQUENCE IF NOT EXISTS " + q(rs.getString(1)) + "." + q(rs.getString(2))
                            + " " + sequenceOptions(rs, 3, true));
                }
            }
        }
    }

    /** CREATE TYPE and CREATE DOMAIN have no IF NOT EXISTS: guard them with a DO block. */
    private static String ifTypeMissing(String schema, String name, String create) {
        String tag = "$lm$";
        for (int i = 1; create.contains(tag); i++) {
            tag = "$lm" + i + "$";
        }
        return "DO " + tag + " BEGIN IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n"
                + " ON n.oid = t.typnamespace WHERE n.nspname = " + PostgresDialect.literal(schema)
                + " AND t.typname = " + PostgresDialect.literal(name) + ") THEN " + create + "; END IF; END " + tag;
    }

    private static String q(String identifier) {
        return PostgresDialect.INSTANCE.quote(identifier);
    }
}
