package io.livemigrate.engine.postgres;

import io.livemigrate.engine.Finding;
import io.livemigrate.engine.TableInfo;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether the key's text columns order and compare the same on both sides. Key ranges (copy, verify, the range
 * deletes of a restart, a retry or a repair) are bounded by key values compared under each side's collation: under
 * different collations a range on the target holds other rows than the same range on the source, and its delete
 * removes rows of the neighbouring ranges. So {@code check} refuses the table rather than copy it that way.
 *
 * <p>Collation names and versions do not tell (C.UTF-8 and C.utf8 are one locale; one name sorts differently after
 * a C library upgrade), so both servers sort and deduplicate the same probe strings under the column's collation as
 * the target has it, or will have it once prepare-schema creates the table (the source's collation by name, the
 * target database's default for a column under its database's default), and the results must be equal.
 */
final class PostgresKeyCollations {

    /** Strings whose order differs between the usual collations: case, accents, spaces, punctuation, digits. */
    private static final String[] PROBE = {"a", "A", "b", "B", "Z", "z", "á", "à", "ä", "Ä", "e", "é", "ê", "f", "o", "ö",
            "Ö", "ø", "ß", "ss", "SS", "æ", "ae", "ı", "i", "I", "İ", "ç", "c", "", " ", " a", "a ", "a b", "ab", "a-b",
            "a_b", "a.b", "a,b", "-", "_", ".", "co-op", "coop", "co op", "1", "2", "10", "9", "١", "①", "½", "Ω", "ω",
            "я", "Я", "中", "日", "😀", "x\u0301", "\u00e1", "a\u0301", "'", "\"", "~", "{", "Ǆ", "ǅ", "ǆ", "Straße",
            "strasse", "résumé", "resume", "Resume"};

    /** The key's collatable columns: the collation's qualified name, and whether it is the database's default. */
    private static final String KEY_COLLATIONS = """
            SELECT a.attname, quote_ident(n.nspname) || '.' || quote_ident(co.collname), co.oid = 100
            FROM pg_attribute a JOIN pg_collation co ON co.oid = a.attcollation
            JOIN pg_namespace n ON n.oid = co.collnamespace
            WHERE a.attrelid = ? AND a.attname = ?""";

    private PostgresKeyCollations() {
    }

    static List<Finding> check(Connection source, Connection target, TableInfo table) throws SQLException {
        List<Finding> findings = new ArrayList<>();
        long sourceOid = PostgresCatalog.oid(source, table.id()).orElse(-1L);
        Long targetOid = PostgresCatalog.oid(target, table.id()).orElse(null);
        if (sourceOid < 0) {
            return findings;
        }
        for (String column : table.keyColumns()) {
            String[] sourceCollation = collation(source, sourceOid, column);
            if (sourceCollation == null) {
                continue;
            }
            String[] targetCollation = targetOid != null ? collation(target, targetOid, column) : sourceCollation;
            if (targetCollation == null) {
                continue;
            }
            String subject = table.id().qualified();
            String sorted = probe(source, sourceCollation[0]);
            String targetSorted;
            try {
                targetSorted = probe(target, targetCollation[0]);
            }
            catch (SQLException e) {
                if (!"42704".equals(e.getSQLState())) {
                    throw e;
                }
                findings.add(Finding.error(subject, "key column " + column + " uses collation " + sourceCollation[0]
                                + ", which the target does not have",
                        "create that collation on the target (CREATE COLLATION), or exclude the table"));
                continue;
            }
            if (!sorted.equals(targetSorted)) {
                findings.add(Finding.error(subject, "key column " + column + " sorts differently on the two sides ("
                                + describe(sourceCollation) + " on the source, " + describe(targetCollation)
                                + " on the target): key ranges would hold different rows on each side, and their "
                                + "deletes on a restart or repair would remove rows of neighbouring ranges",
                        "give the target column the source's sort order (create the target database with the "
                                + "source's LC_COLLATE, or create the table on the target with COLLATE matching the "
                                + "source, e.g. the same ICU or libc locale and library version), or exclude the table"));
            }
        }
        return findings;
    }

    private static String describe(String[] collation) {
        return collation[0] + ("true".equals(collation[1]) ? " (the database's default)" : "");
    }

    /** The column's collation as {qualified name, whether it is the database default}, or null when it has none. */
    private static String[] collation(Connection c, long oid, String column) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(KEY_COLLATIONS)) {
            ps.setLong(1, oid);
            ps.setString(2, column);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new String[] {rs.getString(2), String.valueOf(rs.getBoolean(3))} : null;
            }
        }
    }

    /** The probe strings in the collation's order (ties by bytes), and how many it tells apart. */
    private static String probe(Connection c, String collation) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT string_agg(x, E'\\x01' ORDER BY x COLLATE " + collation
                + ", convert_to(x, 'UTF8')) || E'\\x02' || count(DISTINCT x COLLATE " + collation
                + ") FROM unnest(?::text[]) AS p(x)")) {
            ps.setArray(1, c.createArrayOf("text", PROBE));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }
}
