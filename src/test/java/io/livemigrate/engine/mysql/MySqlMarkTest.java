package io.livemigrate.engine.mysql;

import io.livemigrate.engine.BinlogPosition;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A mark writes its marker row, creating the marker table when the server has none, and once the table is there
 * writes nothing else to the binlog: no {@code CREATE ... IF NOT EXISTS}, which the server logs even when there is
 * nothing to create and which a rehearsal, marking after every statement, would otherwise stream through catch-up.
 */
class MySqlMarkTest {

    @Test
    void createsTheMarkerTableOnceAndThenWritesOnlyTheMarker() throws Exception {
        BinlogTestDatabase db = new BinlogTestDatabase("mark");
        try (Connection c = db.connect()) {
            try (Statement st = c.createStatement()) {
                st.execute("DROP TABLE IF EXISTS livemigrate." + MySqlMark.MARKER_TABLE);
            }
            BinlogPosition first = MySqlMark.mark(c, "markplan");
            assertThat(marker(c, "markplan")).isTrue();
            assertThat(queries(c, first)).anyMatch(q -> q.startsWith("CREATE TABLE"));

            BinlogPosition second = MySqlMark.mark(c, "markplan");
            assertThat(second.pos()).isGreaterThan(first.pos());
            assertThat(queries(c, second)).noneMatch(q -> q.toUpperCase().startsWith("CREATE"));
            assertThat(marker(c, "markplan")).isTrue();
        }
    }

    private static boolean marker(Connection c, String plan) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM livemigrate." + MySqlMark.MARKER_TABLE
                     + " WHERE plan = '" + plan + "'")) {
            rs.next();
            return rs.getInt(1) == 1;
        }
    }

    /** The statements of the binlog's Query events from {@code from} on. */
    private static List<String> queries(Connection c, BinlogPosition from) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SHOW BINLOG EVENTS IN '" + from.file() + "' FROM " + from.pos())) {
            while (rs.next()) {
                if (rs.getString("Event_type").equals("Query")) {
                    out.add(rs.getString("Info").replaceFirst("^use `[^`]*`; ", ""));
                }
            }
        }
        return out;
    }
}
