package io.livemigrate.engine.postgres;

import io.livemigrate.engine.KeyOrdering;
import io.livemigrate.engine.TableId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * PostgreSQL orders a text column by its collation: an explicit one, or the database's default. Two collations
 * order alike when both are byte order (libc C, POSIX, C.UTF-8; the builtin provider's C and C.UTF-8), or when
 * provider, locale and the library's actual collation version are the same: the same locale under another glibc or
 * ICU version may sort differently, which is why PostgreSQL records the version.
 */
final class PostgresKeyOrdering implements KeyOrdering {

    private static final Set<String> BYTE_ORDER = Set.of("C", "POSIX", "C.UTF-8", "C.utf8");

    private static final String COLUMN_COLLATIONS = """
            SELECT a.attname, co.oid, n.nspname, co.collname, co.collprovider,
                   coalesce(to_jsonb(co) ->> 'colllocale', to_jsonb(co) ->> 'colliculocale', co.collcollate),
                   pg_collation_actual_version(co.oid)
            FROM pg_attribute a JOIN pg_collation co ON co.oid = a.attcollation
                 JOIN pg_namespace n ON n.oid = co.collnamespace
            WHERE a.attrelid = ? AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = ANY (?)""";

    /** Provider and locale of the database default, read through jsonb so one query serves PostgreSQL 13 to 17. */
    private static final String DATABASE_DEFAULT = """
            SELECT coalesce(to_jsonb(d) ->> 'datlocprovider', 'c'),
                   coalesce(to_jsonb(d) ->> 'datlocale', to_jsonb(d) ->> 'daticulocale', d.datcollate)
            FROM pg_database d WHERE d.datname = current_database()""";

    /** The library's version for a provider: any of its collations reports it (libc: glibc's; ICU: per locale). */
    private static final String PROVIDER_VERSION = """
            SELECT pg_collation_actual_version(oid) FROM pg_collation
            WHERE collprovider = ? AND collcollate IS DISTINCT FROM 'C' AND collcollate IS DISTINCT FROM 'POSIX'
              AND pg_collation_actual_version(oid) IS NOT NULL
            ORDER BY (coalesce(collcollate, '') = ?) DESC, oid LIMIT 1""";

    private static final String NAMED_COLLATION = """
            SELECT co.oid, n.nspname, co.collname, co.collprovider,
                   coalesce(to_jsonb(co) ->> 'colllocale', to_jsonb(co) ->> 'colliculocale', co.collcollate), pg_collation_actual_version(co.oid)
            FROM pg_collation co JOIN pg_namespace n ON n.oid = co.collnamespace
            WHERE n.nspname = ? AND co.collname = ? AND co.collencoding IN (-1, (SELECT encoding FROM pg_database
                  WHERE datname = current_database()))""";

    @Override
    public Map<String, String> of(Connection connection, TableId table, List<String> keyColumns) throws SQLException {
        Map<String, String> ordering = new LinkedHashMap<>();
        for (Map.Entry<String, Collation> e : columnCollations(connection, table, keyColumns).entrySet()) {
            ordering.put(e.getKey(), e.getValue().describe(connection));
        }
        return ordering;
    }

    @Override
    public Map<String, String> asCreated(Connection source, Connection target, TableId sourceTable,
                                         List<String> keyColumns) throws SQLException {
        Map<String, String> ordering = new LinkedHashMap<>();
        for (Map.Entry<String, Collation> e : columnCollations(source, sourceTable, keyColumns).entrySet()) {
            Collation onSource = e.getValue();
            // The created table names a column's collation only when it is not the default (PostgresDdl).
            Collation onTarget = onSource.isDatabaseDefault() ? onSource : named(target, onSource.schema, onSource.name);
            ordering.put(e.getKey(), onTarget == null
                    ? "collation " + onSource.name + ", which the target database does not have"
                    : onTarget.describe(target));
        }
        return ordering;
    }

    private static Map<String, Collation> columnCollations(Connection c, TableId table, List<String> columns)
            throws SQLException {
        long oid = PostgresCatalog.oid(c, table).orElseThrow(() -> new SQLException(table + " does not exist"));
        Map<String, Collation> found = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(COLUMN_COLLATIONS)) {
            ps.setLong(1, oid);
            ps.setArray(2, c.createArrayOf("text", columns.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    found.put(rs.getString(1), collation(rs, 2));
                }
            }
        }
        Map<String, Collation> inKeyOrder = new LinkedHashMap<>();
        for (String column : columns) {
            if (found.containsKey(column)) {
                inKeyOrder.put(column, found.get(column));
            }
        }
        return inKeyOrder;
    }

    private static Collation named(Connection c, String schema, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(NAMED_COLLATION)) {
            ps.setString(1, schema);
            ps.setString(2, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? collation(rs, 1) : null;
            }
        }
    }

    private static Collation collation(ResultSet rs, int first) throws SQLException {
        return new Collation(rs.getString(first + 1), rs.getString(first + 2), rs.getString(first + 3),
                rs.getString(first + 4), rs.getString(first + 5));
    }

    private record Collation(String schema, String name, String provider, String locale, String version) {

        boolean isDatabaseDefault() {
            return provider.equals("d");
        }

        String describe(Connection c) throws SQLException {
            String provider = this.provider;
            String locale = this.locale;
            String version = this.version;
            if (isDatabaseDefault()) {
                try (PreparedStatement ps = c.prepareStatement(DATABASE_DEFAULT); ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    provider = rs.getString(1);
                    locale = rs.getString(2);
                }
                version = null;
            }
            String label = "collation " + (schema.equals("pg_catalog") ? "" : schema + ".") + name;
            if (locale != null && BYTE_ORDER.contains(locale) && !provider.equals("i")) {
                return "a byte-order collation";
            }
            if (version == null) {
                version = providerVersion(c, provider, locale);
            }
            return label + " (" + providerName(provider) + " " + locale + ", version "
                    + (version == null ? "unknown" : version) + ")";
        }

        private static String providerVersion(Connection c, String provider, String locale) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement(PROVIDER_VERSION)) {
                ps.setString(1, provider);
                ps.setString(2, locale);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        }

        private static String providerName(String provider) {
            return switch (provider) {
                case "i" -> "ICU";
                case "b" -> "builtin";
                default -> "libc";
            };
        }
    }
}
