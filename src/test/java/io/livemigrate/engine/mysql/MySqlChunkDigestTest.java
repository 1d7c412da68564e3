package io.livemigrate.engine.mysql;

import io.livemigrate.demo.EmbeddedServer;
import io.livemigrate.engine.ChunkDigester.ChunkDigest;
import io.livemigrate.engine.TableId;
import io.livemigrate.engine.TableInfo;
import io.livemigrate.testing.TestDatabases;
import io.livemigrate.testing.TypeSamples;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chunk digest builds each row's text once, into a session variable both CRCs read. It must equal the plain form
 * that builds the text twice, on a real server, for every column type: that is what a server evaluating the two CRCs
 * in the other order would break.
 */
class MySqlChunkDigestTest {

    private final String db = EmbeddedServer.databaseOf(TestDatabases.mariadb().newDatabase("digest"));

    @Test
    void rowTextBuiltOnceHashesAsWhenBuiltTwice() throws SQLException {
        try (Connection c = TestDatabases.mariadb().connect(db)) {
            try (Statement st = c.createStatement()) {
                for (String sql : TypeSamples.mysql()) {
                    st.execute(sql);
                }
                st.execute("INSERT INTO everything (id, vc, i) SELECT seq, concat('row ', seq), seq * 7 FROM seq_10_to_2000");
            }
            TableId id = new TableId(db, "everything");
            TableInfo table = MySqlCatalog.describe(c, id).orElseThrow();
            MySqlChunkDigest digester = MySqlChunkDigest.of(c, c, table);
            String text = digester.rowText();
            String plain = "SELECT COUNT(*), CAST(SUM(CRC32(" + text + ") << 32 | CRC32C(" + text + ")) AS CHAR) FROM "
                    + MySqlDialect.INSTANCE.table(id);

            ChunkDigest digest = digester.digest(c, id, null, null);

            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(plain)) {
                rs.next();
                assertThat(digest.rows()).isEqualTo(rs.getLong(1)).isEqualTo(1995);
                assertThat(digest.hash()).isEqualTo(rs.getString(2));
            }
            try (Statement st = c.createStatement()) {
                st.execute("UPDATE everything SET vc = 'changed' WHERE id = 1000");
            }
            assertThat(digester.digest(c, id, null, null).hash()).as("a changed row changes the digest")
                    .isNotEqualTo(digest.hash());
        }
    }

    /** The separator moved from one value into the next: the length before every value but the last tells them apart. */
    @Test
    void separatorMovedBetweenValuesChangesTheDigest() throws SQLException {
        try (Connection c = TestDatabases.mariadb().connect(db); Statement st = c.createStatement()) {
            for (String t : new String[] {"shift_left", "shift_right"}) {
                st.execute("CREATE TABLE " + t + " (id int PRIMARY KEY, a varchar(10), b varchar(10), z varchar(10))");
            }
            st.execute("INSERT INTO shift_left VALUES (1, CONCAT('x', CHAR(31)), 'y', CONCAT('p', CHAR(31)))");
            st.execute("INSERT INTO shift_right VALUES (1, 'x', CONCAT(CHAR(31), 'y'), CONCAT('p', CHAR(31)))");
            TableId left = new TableId(db, "shift_left");
            TableId right = new TableId(db, "shift_right");
            MySqlChunkDigest digester = MySqlChunkDigest.of(c, c, MySqlCatalog.describe(c, left).orElseThrow());
            assertThat(digester.digest(c, left, null, null).hash()).isNotEqualTo(digester.digest(c, right, null, null).hash());
            st.execute("UPDATE shift_right SET a = CONCAT('x', CHAR(31)), b = 'y'");
            assertThat(digester.digest(c, left, null, null).hash()).isEqualTo(digester.digest(c, right, null, null).hash());
        }
    }
}
