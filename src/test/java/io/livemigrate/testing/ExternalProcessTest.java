package io.livemigrate.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** The real PgBouncer and HAProxy the cutover tests rely on start, route and answer their admin interfaces. */
class ExternalProcessTest {

    @TempDir
    Path dir;

    @Test
    void pgbouncerRoutesToTheDatabaseAndAnswersTheAdminConsole() throws Exception {
        ExternalProcess.requireBinary(PgBouncerProcess.BINARY);
        var pg = TestDatabases.postgres();
        String db = io.livemigrate.demo.EmbeddedServer.databaseOf(pg.newDatabase("bouncer"));
        try (PgBouncerProcess bouncer = PgBouncerProcess.start(dir.resolve("pgb"), db, pg.port(), pg.user());
             Connection c = DriverManager.getConnection(bouncer.jdbcUrl(), pg.user(), "");
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT current_database()")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo(db);
            // PgJDBC cannot log in to the admin console (pgbouncer answers its startup "SET failed"): use psql.
            Process psql = new ProcessBuilder("psql", "-h", "127.0.0.1", "-p", String.valueOf(bouncer.port()), "-U",
                    PgBouncerProcess.ADMIN_USER, "-Atc", "SHOW DATABASES", "pgbouncer").redirectErrorStream(true).start();
            String databases = new String(psql.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(psql.waitFor()).as(databases).isZero();
            assertThat(databases).contains(db + "|127.0.0.1|" + pg.port());
        }
    }

    @Test
    void haproxyRoutesToTheSourceAndTakesRuntimeCommands() throws Exception {
        ExternalProcess.requireBinary(HaproxyProcess.BINARY);
        var pg = TestDatabases.postgres();
        try (HaproxyProcess haproxy = HaproxyProcess.start(dir.resolve("hap"), pg.port(), ExternalProcess.freePort());
             Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + haproxy.port() + "/postgres",
                     pg.user(), "");
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 1")) {
            assertThat(rs.next()).isTrue();
            String[] hostPort = haproxy.adminAddress().split(":");
            try (Socket s = new Socket(hostPort[0], Integer.parseInt(hostPort[1]));
                 var out = new OutputStreamWriter(s.getOutputStream(), StandardCharsets.US_ASCII);
                 var in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))) {
                out.write("show servers state " + HaproxyProcess.BACKEND + "\n");
                out.flush();
                String all = in.lines().reduce("", (a, b) -> a + b + "\n");
                assertThat(all).contains("source").contains("target");
            }
        }
    }
}
