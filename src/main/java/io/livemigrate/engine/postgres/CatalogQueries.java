package io.livemigrate.engine.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** One-column catalog queries keyed by an oid, which most of this package's reads are. */
final class CatalogQueries {

    private CatalogQueries() {
    }

    static List<Long> longs(Connection c, String sql, long oid) throws SQLException {
        List<Long> values = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getLong(1));
                }
            }
        }
        return values;
    }

    static List<String> strings(Connection c, String sql, long oid) throws SQLException {
        List<String> values = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, oid);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    values.add(rs.getString(1));
                }
            }
        }
        return values;
    }
}
