package io.livemigrate.copy;

import com.zaxxer.hikari.HikariDataSource;
import io.livemigrate.engine.Endpoint;
import io.livemigrate.engine.EngineKind;
import io.livemigrate.engine.Engines;
import io.livemigrate.engine.Secret;
import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TableContents;
import io.livemigrate.testing.TestDatabases;
import io.livemigrate.testing.TypeSamples;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;

/** The copy job against a real (embedded) MariaDB: values survive byte for byte, keys of every shape copy. */
class MySqlCopyTest {

    @TempDir
    Path dir;

    @Test
    void everySupportedTypeSurvivesExactlyAndGeneratedColumnsAreRecomputed() throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.mariadb(), dir, "my_types");
        try (Connection s = m.source()) {
            execute(s, TypeSamples.mysql());
        }
        assertThat(m.run("copy")).as(m.output()).isZero();
        try (Connection s = m.source(); Connection t = m.target()) {
            assertThat(TableContents.mysql(t, m.targetDatabase() + ".everything", "id"))
                    .containsExactlyElementsOf(TableContents.mysql(s, m.sourceDatabase() + ".everything", "id"));
            try (Statement st = t.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '" + m.targetDatabase()
                            + "' AND TABLE_NAME = 'everything' AND EXTRA LIKE '%GENERATED%'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("generated columns are recomputed by the target").isEqualTo(2);
            }
        }
    }

    @Test
    void compositeTextAndUuidKeysCopyIntoAnotherDatabaseWithIndexesBuiltAfter() throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.mariadb(), dir, "my_keys")
                .copyOptions("{ threads: 3, chunk-rows: 700, partition-rows: 4000 }");
        try (Connection s = m.source()) {
            execute(s,
                    "CREATE TABLE nums (n int PRIMARY KEY)",
                    "INSERT INTO nums SELECT seq FROM seq_1_to_20000",
                    "CREATE TABLE composite (a int, b varchar(40), v int, PRIMARY KEY (a, b))",
                    "INSERT INTO composite SELECT n % 97, md5(n), n FROM nums",
                    "CREATE TABLE texty (k varchar(60) CHARACTER SET utf8mb4 PRIMARY KEY, v int)",
                    "INSERT INTO texty SELECT concat('key é ', n, '''\"\\\\'), n FROM nums WHERE n <= 15000",
                    "CREATE TABLE uuid_char (id char(36) PRIMARY KEY, v int)",
                    "INSERT INTO uuid_char SELECT uuid(), n FROM nums WHERE n <= 15000",
                    "CREATE TABLE uuid_bin (id binary(16) PRIMARY KEY, v int)",
                    "INSERT INTO uuid_bin SELECT unhex(md5(n)), n FROM nums WHERE n <= 15000",
                    "CREATE TABLE parent (id int PRIMARY KEY, name varchar(20) UNIQUE)",
                    "INSERT INTO parent SELECT n, concat('p', n) FROM nums WHERE n <= 100",
                    "CREATE TABLE child (id int PRIMARY KEY, parent_id int, note varchar(20), KEY child_note (note),"
                            + " CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES parent (id))",
                    "INSERT INTO child SELECT n, 1 + n % 100, concat('n', n) FROM nums WHERE n <= 5000",
                    "ANALYZE TABLE composite, texty, uuid_char, uuid_bin, parent, child");
        }
        assertThat(m.run("copy")).as(m.output()).isZero();
        try (Connection s = m.source(); Connection t = m.target()) {
            for (String[] table : new String[][] {{"nums", "n"}, {"composite", "a, b"}, {"texty", "k"},
                    {"uuid_char", "id"}, {"uuid_bin", "id"}, {"parent", "id"}, {"child", "id"}}) {
                assertThat(TableContents.mysql(t, m.targetDatabase() + "." + table[0], table[1])).as(table[0])
                        .containsExactlyElementsOf(TableContents.mysql(s, m.sourceDatabase() + "." + table[0], table[1]));
            }
            assertThat(indexesAndConstraints(t)).as("secondary index built after the data; unique and foreign keys "
                    + "wait for catch-up to pass the copy's end").containsExactly(1, 0, 0);
        }
        assertThat(m.run("catchup", "--until-caught-up", "--max-lag", "0")).as(m.output()).isZero();
        try (Connection t = m.target()) {
            assertThat(indexesAndConstraints(t)).containsExactly(1, 1, 1);
        }
    }

    /** child's secondary index, child's foreign key, parent's unique key. */
    private static List<Integer> indexesAndConstraints(Connection t) throws SQLException {
        try (Statement st = t.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT (SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()"
                        + " AND TABLE_NAME = 'child' AND INDEX_NAME = 'child_note'),"
                        + " (SELECT COUNT(*) FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()"
                        + " AND CONSTRAINT_NAME = 'child_parent'),"
                        + " (SELECT COUNT(*) FROM information_schema.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = DATABASE()"
                        + " AND TABLE_NAME = 'parent' AND CONSTRAINT_TYPE = 'UNIQUE')")) {
            rs.next();
            return List.of(rs.getInt(1), rs.getInt(2), rs.getInt(3));
        }
    }

    @Test
    void wrongPasswordAndUnreachableServerAreClearErrorsThatWriteNothing() throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.mariadb(), dir, "my_login");
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE t (id int PRIMARY KEY)");
        }
        String good = Files.readString(m.plan());
        Files.writeString(m.plan(), good.replaceFirst("user: root, password: \"\"", "user: livemigrate, password: \"not-the-password\""));
        assertThat(m.run("copy")).isEqualTo(2);
        assertThat(m.output()).contains("source (").contains("the server refused the login: wrong user or password")
                .doesNotContain("not-the-password");
        // Every command that needs the servers says the same in one line, before any job context starts.
        for (String command : new String[] {"catchup", "verify", "cutover", "stop"}) {
            assertThat(m.run(command)).as(command + ": " + m.output()).isEqualTo(2);
            assertThat(m.output()).as(command).contains("the server refused the login: wrong user or password")
                    .doesNotContain("not-the-password").doesNotContain("\tat ").doesNotContain("Exception");
        }
        // revert runs the plan backwards, but the message names the key in the plan file to fix.
        String login = "user: root, password: \"\"";
        int targetLogin = good.lastIndexOf(login);
        Files.writeString(m.plan(), good.substring(0, targetLogin) + "user: livemigrate, password: \"not-the-password\""
                + good.substring(targetLogin + login.length()));
        assertThat(m.run("revert")).as(m.output()).isEqualTo(2);
        assertThat(m.output()).contains("target (").contains("check target.user and target.password");
        // A shared job repository that cannot be reached: named as such, with where its address comes from.
        for (String command : new String[] {"status", "check", "catchup", "verify", "copy", "stop", "restart",
                "cutover", "complete", "throttle --pause", "server --port 0"}) {
            List<String> args = new ArrayList<>(List.of(command.split(" ")));
            args.addAll(List.of("--plan", m.plan().toString(), "--repository",
                    "jdbc:postgresql://127.0.0.1:1/repo?password=secret"));
            assertThat(m.runArgs(args.toArray(String[]::new))).as(command + ": " + m.output()).isEqualTo(2);
            assertThat(m.output()).as(command).contains("job repository (jdbc:postgresql://127.0.0.1:1/repo")
                    .contains("cannot reach the server").contains("--repository").doesNotContain("secret");
        }
        String port = String.valueOf(TestDatabases.mariadb().port());
        Files.writeString(m.plan(), good.replace("127.0.0.1:" + port + "/" + m.targetDatabase(), "127.0.0.1:1/" + m.targetDatabase()));
        assertThat(m.run("check")).isEqualTo(2);
        assertThat(m.output()).contains("target (jdbc:mysql://127.0.0.1:1/").contains("cannot reach the server");
        assertThat(m.repositoryExists()).isFalse();
    }

    /**
     * Regression: with unique_checks=0 and foreign_key_checks=0, MariaDB loads into an empty table under a table X
     * lock (MDEV-24818), so two partitions of one table starting at once deadlocked, and the victim's LOAD DATA
     * LOCAL hung for ever. Two target sessions of the copy's pool must each insert into the same empty table inside
     * open transactions without waiting for the other.
     */
    @Test
    void twoCopySessionsLoadOneEmptyTableAtOnce() throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.mariadb(), dir, "my_empty");
        String table = m.targetDatabase() + ".empty_load";
        try (Connection t = m.target()) {
            execute(t, "CREATE TABLE " + table + " (id int PRIMARY KEY, v varchar(10))");
        }
        Endpoint target = new Endpoint("target", m.targetUrl(), TestDatabases.mariadb().user(), Secret.NONE);
        try (HikariDataSource pool = Engines.of(EngineKind.MYSQL).openPool(target, 2);
             Connection a = pool.getConnection(); Connection b = pool.getConnection()) {
            a.setAutoCommit(false);
            b.setAutoCommit(false);
            execute(b, "SET SESSION innodb_lock_wait_timeout = 2");
            execute(a, "INSERT INTO " + table + " VALUES (1, 'a')");
            execute(b, "INSERT INTO " + table + " VALUES (2, 'b')"); // a lock wait timeout here is the regression
            a.commit();
            b.commit();
        }
        try (Connection t = m.target()) {
            assertThat(TableContents.count(t, table)).isEqualTo(2);
        }
    }
}
