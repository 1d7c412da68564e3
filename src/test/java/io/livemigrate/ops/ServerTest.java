package io.livemigrate.ops;

import io.livemigrate.rehearse.RehearsalWorkload;
import io.livemigrate.testing.CatchupLag;
import io.livemigrate.testing.MigrationFixture;
import io.livemigrate.testing.TestDatabases;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.livemigrate.testing.TableContents.execute;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code server} mode in child JVMs: the status page (rendered by headless Chromium) and the Prometheus endpoint
 * show the plan's tables and its latest rehearsal; two servers on one repository with a trigger every two seconds run each fire once.
 */
class ServerTest {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    @TempDir
    Path dir;

    @Test
    void statusPageAndPrometheusShowThePlansTables() throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.postgres(), dir, "server_page");
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE big (id bigint PRIMARY KEY, payload text)",
                    "INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 20000) g", "ANALYZE big");
        }
        assertThat(m.run("copy")).as(m.output()).isZero();
        Files.writeString(m.plan(), "schedules:\n  nightly-verify: { cron: \"0 0 2 * * ?\", command: verify }\n",
                StandardOpenOption.APPEND);
        int port = freePort();
        Process server = startServer(m, port, "server.log");
        try {
            awaitUp(port, server, "server.log");
            String prometheus = get(port, "/actuator/prometheus");
            assertThat(prometheus).containsPattern("livemigrate_table_rows_copied\\{[^}]*table=\"public.big\"[^}]*\\} 20000")
                    .contains("livemigrate_throttle_rows_per_second")
                    .as("every metric carries the plan, which the Grafana dashboard filters on")
                    .containsPattern("livemigrate_throttle_rows_per_second\\{[^}]*plan=\"" + planName(m) + "\"");
            assertThat(get(port, "/status")).contains("\"phase\":\"copy complete\"");

            Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "headless Chromium check skipped: /usr/bin/chromium is "
                    + "not installed (apt-get install chromium; .ci/run does)");
            String dom = chromiumDom("http://127.0.0.1:" + port + "/");
            assertThat(dom).contains("<span id=\"plan\">" + planName(m) + "</span>").contains("public.big").contains("20,000")
                    .contains("copy complete").contains("nightly-verify").contains("COMPLETED");
        }
        finally {
            stop(server);
        }
    }

    /**
     * The latest rehearsal on the status page, at /status and at /actuator/prometheus: its outcome and time, its
     * totals, and per fingerprint the counts, each side's p95 and the regression flag. A row changed on the target
     * behind catch-up's back is a result difference of the query shape that reads it.
     */
    @Test
    void statusPageAndPrometheusShowTheLatestRehearsal() throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.postgres(), dir, "server_rehearsal");
        try (Connection s = m.source()) {
            execute(s, "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)",
                    "INSERT INTO items SELECT g, 'item ' || g FROM generate_series(1, 100) g");
        }
        assertThat(m.run("copy")).as(m.output()).isZero();
        Process catchup = m.start("catchup");
        Process server = null;
        try {
            m.awaitCatchupApplying(catchup);
            try (Connection t = m.target()) {
                execute(t, "UPDATE items SET name = 'changed on target' WHERE id = 7");
            }
            RehearsalWorkload app = RehearsalWorkload.start(m, true, false);
            try (Connection c = app.session(); Statement st = c.createStatement()) {
                for (int i = 1; i <= 10; i++) {
                    st.executeQuery("SELECT name FROM items WHERE id = " + i).close();
                }
                st.executeQuery("SELECT count(*) FROM items").close();
                app.flush(c, "end of the server workload");
            }
            assertThat(m.run("rehearse", "--log", app.log().toString(), "--min-gap", "60s")).as(m.output())
                    .isEqualTo(3);
            int port = freePort();
            server = startServer(m, port, "server.log");
            awaitUp(port, server, "server.log");
            String shape = "fingerprint=\"select name from items where id = \\?\"";
            await("the server's metrics showing the rehearsal").atMost(Duration.ofMinutes(1))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> get(port, "/actuator/prometheus").contains("livemigrate_rehearsal_statements"));
            String prometheus = get(port, "/actuator/prometheus");
            assertThat(prometheus).containsPattern("livemigrate_rehearsal_clean\\{[^}]*plan=\"" + planName(m)
                            + "\"[^}]*\\} 0.0")
                    .containsPattern("livemigrate_rehearsal_finished_timestamp_seconds\\{[^}]*\\} [1-9]")
                    .containsPattern("livemigrate_rehearsal_statements\\{[^}]*result=\"result_differences\"[^}]*\\} 1.0")
                    .containsPattern("livemigrate_rehearsal_statements\\{[^}]*result=\"compared\"[^}]*\\} [1-9]")
                    .containsPattern("livemigrate_rehearsal_fingerprints\\{[^}]*state=\"regressed\"[^}]*\\} 0.0")
                    .containsPattern("livemigrate_rehearsal_fingerprint_statements\\{" + shape
                            + "[^}]*result=\"replayed\"[^}]*\\} 10.0")
                    .containsPattern("livemigrate_rehearsal_fingerprint_statements\\{" + shape
                            + "[^}]*result=\"result_differences\"[^}]*\\} 1.0")
                    .containsPattern("livemigrate_rehearsal_fingerprint_statements\\{fingerprint=\"select count\\(\\*\\)"
                            + " from items\"[^}]*result=\"result_differences\"[^}]*\\} 0.0")
                    .containsPattern("livemigrate_rehearsal_fingerprint_p95_seconds\\{" + shape
                            + "[^}]*side=\"source\"[^}]*\\} \\d")
                    .containsPattern("livemigrate_rehearsal_fingerprint_p95_seconds\\{" + shape
                            + "[^}]*side=\"target\"[^}]*\\} \\d")
                    .containsPattern("livemigrate_rehearsal_fingerprint_regression\\{" + shape + "[^}]*\\} 0.0");
            assertThat(get(port, "/status")).contains("\"lastRehearsal\"").contains("\"resultDiffs\":1");
            String page = get(port, "/");
            assertThat(page).contains("<h2>Last rehearsal</h2>").contains("<b id=\"rehearsal-outcome\">DIFFERENCES</b>")
                    .contains("1 result difference(s)");
            String row = page.substring(page.indexOf("<td>select name from items where id = ?</td>"));
            assertThat(row.substring(0, row.indexOf("</tr>"))).contains("<td>10</td><td>10</td><td>1</td><td>0</td>")
                    .contains("changed on target").contains("<td>no</td>");
        }
        finally {
            if (server != null) {
                stop(server);
            }
            catchup.destroy();
            catchup.waitFor();
        }
    }

    /**
     * The status page charts the catch-up lag the server sampled and shows each table's copy progress as a bar, and
     * after a cutover says the target is primary with the cutover's step timings; checked in headless Chromium: the
     * DOM it built (values, and each drawn point where its value puts it) and the pixels it painted (the chart's line
     * and the bars' fill).
     */
    @Test
    void statusPageChartsLagShowsCopyProgressAndThePrimary() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM), "headless Chromium check skipped: /usr/bin/chromium is "
                + "not installed (apt-get install chromium; .ci/run does)");
        MigrationFixture m = new MigrationFixture(TestDatabases.postgres(), dir, "server_chart");
        try (Connection s = m.source()) {
            execute(s, "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'chart_app') THEN "
                            + "CREATE ROLE chart_app; END IF; END $$",
                    "CREATE TABLE big (id bigint PRIMARY KEY, payload text)",
                    "INSERT INTO big SELECT g, md5(g::text) FROM generate_series(1, 20000) g", "ANALYZE big",
                    "CREATE TABLE small (id int PRIMARY KEY, v int)", "INSERT INTO small VALUES (1, 0)");
        }
        m.appendToPlan("cutover:\n  fence: read-only\n  switch: command\n  command: \"true\"\n"
                + "  app-roles: [chart_app]\n  max-pause: 10s\n  max-lag: 2s\n");
        assertThat(m.run("copy")).as(m.output()).isZero();
        int port = freePort();
        Process server = startServer(m, port, "server.log");
        Process catchup = null;
        try {
            awaitUp(port, server, "server.log");
            catchup = m.start("catchup");
            CatchupLag.awaitUnder(m, m.planName(), 1.0, catchup, () -> nudge(m));
            // the server samples the recorded lag at each 5 s refresh while catch-up runs
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (lags(get(port, "/"), "forward").size() < 3) {
                assertThat(System.nanoTime()).as("3 lag samples within 120 s").isLessThan(deadline);
                nudge(m);
                Thread.sleep(1000);
            }
            assertThat(m.run("cutover", "--skip-verify")).as(m.output()).isZero();
            while (!get(port, "/status").contains("\"primary\":\"target\"")) {
                assertThat(System.nanoTime()).as("the page's status refreshed after the cutover").isLessThan(deadline);
                Thread.sleep(500);
            }

            String dom = chromiumDom("http://127.0.0.1:" + port + "/");
            assertThat(dom).contains("<b id=\"primary\">target</b>").containsPattern("<b id=\"phase\">cut over to "
                    + "the target; the target is primary</b>");
            String cutover = dom.substring(dom.indexOf("<tr class=\"switch\" data-direction=\"cutover\" data-run=\"1\">"));
            // every numbered step timed, as a step of its own or as a timed phase of one
            for (String step : io.livemigrate.cutover.CutoverJobConfiguration.STEPS) {
                assertThat(cutover).containsPattern("<li data-step=\"" + step + "\" data-ms=\"\\d+\">" + step
                        + " completed \\d+ ms|<li data-phase=\"" + step + "\" data-ms=\"\\d+\">" + step + " \\d+ ms");
            }
            assertThat(cutover).containsPattern("<td>\\d+ ms</td>");

            assertThat(dom).containsPattern("<svg class=\"progress\"[^>]* data-table=\"public.big\" data-done=\"4\" "
                    + "data-failed=\"0\" data-total=\"4\" data-percent=\"100\"");
            assertThat(dom).containsPattern("data-table=\"public.small\" data-done=\"1\" data-failed=\"0\" "
                    + "data-total=\"1\" data-percent=\"100\"");
            assertThat(dom).contains("<rect class=\"done\" width=\"200.0\"");

            Matcher chart = Pattern.compile("<svg id=\"lag-chart\"[^>]* data-samples=\"(\\d+)\" data-max=\"([\\d.]+)\"")
                    .matcher(dom);
            assertThat(chart.find()).as("the lag chart in %s", dom).isTrue();
            double max = Double.parseDouble(chart.group(2));
            Matcher line = Pattern.compile("<polyline class=\"lag forward\"[^>]* points=\"([^\"]+)\" data-lags=\"([^\"]+)\"")
                    .matcher(dom);
            assertThat(line.find()).as("the forward stream's line").isTrue();
            String[] points = line.group(1).split(" ");
            String[] lags = line.group(2).split(" ");
            assertThat(points).hasSameSizeAs(lags).hasSizeGreaterThanOrEqualTo(3);
            double previousX = -1;
            for (int i = 0; i < points.length; i++) {
                double lag = Double.parseDouble(lags[i]);
                double x = Double.parseDouble(points[i].split(",")[0]);
                double y = Double.parseDouble(points[i].split(",")[1]);
                assertThat(lag).as("sample %d", i).isBetween(0.0, max);
                assertThat(y).as("y of sample %d (lag %s of max %s)", i, lag, max)
                        .isCloseTo(LagChart.y(lag, max), org.assertj.core.data.Offset.offset(0.06));
                assertThat(x).as("x of sample %d", i).isGreaterThanOrEqualTo(previousX)
                        .isBetween((double) LagChart.LEFT, (double) LagChart.LEFT + LagChart.PLOT_WIDTH);
                previousX = x;
            }
            assertThat(Integer.parseInt(chart.group(1))).as("samples").isGreaterThanOrEqualTo(points.length);

            java.awt.image.BufferedImage shot = javax.imageio.ImageIO.read(chromiumScreenshot("http://127.0.0.1:" + port
                    + "/").toFile());
            assertThat(pixels(shot, LagChart.FORWARD_COLOR)).as("pixels of the lag line painted").isGreaterThan(50);
            assertThat(pixels(shot, ProgressBar.DONE_COLOR)).as("pixels of the progress bars painted")
                    .isGreaterThan(2 * 150 * 10);
        }
        finally {
            stop(server);
            if (catchup != null) {
                stop(catchup);
            }
        }
    }

    private static void nudge(MigrationFixture m) throws SQLException {
        try (Connection s = m.source()) {
            execute(s, "UPDATE small SET v = v + 1 WHERE id = 1");
        }
    }

    /** The lag values of one stream's line in the page, empty when it has none. */
    private static List<String> lags(String html, String stream) {
        Matcher line = Pattern.compile("<polyline class=\"lag " + stream + "\"[^>]* data-lags=\"([^\"]+)\"").matcher(html);
        return line.find() ? List.of(line.group(1).split(" ")) : List.of();
    }

    /** Pixels within a few levels of {@code hex} (#rrggbb) per channel. */
    private static long pixels(java.awt.image.BufferedImage image, String hex) {
        int want = Integer.parseInt(hex.substring(1), 16);
        long n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y);
                if (Math.abs((rgb >> 16 & 0xff) - (want >> 16 & 0xff)) <= 6 && Math.abs((rgb >> 8 & 0xff)
                        - (want >> 8 & 0xff)) <= 6 && Math.abs((rgb & 0xff) - (want & 0xff)) <= 6) {
                    n++;
                }
            }
        }
        return n;
    }

    @Test
    void twoServersOnOneRepositoryRunEachFireOnce() throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.postgres(), dir, "server_cluster");
        m.plan();
        Files.writeString(m.plan(), "schedules:\n  every-2s: { cron: \"*/2 * * * * ?\", command: status }\n",
                StandardOpenOption.APPEND);
        int a = freePort();
        Process first = startServer(m, a, "server-a.log");
        Process second = null;
        try {
            awaitUp(a, first, "server-a.log");
            int b = freePort();
            second = startServer(m, b, "server-b.log");
            awaitUp(b, second, "server-b.log");
            awaitRuns(m, 8, null);
            // The first server goes away: the second must carry on with the schedule on its own.
            String firstNode = runs(m).get(0)[1];
            stop(first);
            awaitRuns(m, 4, firstNode);
        }
        finally {
            stop(first);
            if (second != null) {
                stop(second);
            }
        }
        List<String[]> runs = runs(m);
        assertThat(runs).as("fires recorded").hasSizeGreaterThanOrEqualTo(12);
        assertThat(runs.stream().map(r -> r[1]).distinct().count()).as("both servers ran fires").isEqualTo(2);
        assertThat(runs.stream().map(r -> r[0]).distinct().count()).as("each scheduled fire ran once")
                .isEqualTo(runs.size());
        assertThat(runs).allSatisfy(r -> assertThat(r[2]).as("exit code").isIn("0", null));
        System.out.println("cluster test: fires per node " + runs.stream()
                .collect(java.util.stream.Collectors.groupingBy(r -> r[1], java.util.stream.Collectors.counting())));
        try (Connection c = repository(m)) {
            assertThat(OpsQueries.run(c, Files.readString(OpsQueries.DIR.resolve("schedule-duplicate-fires.sql"))))
                    .isEmpty();
        }
    }

    /**
     * A server started as a new user would (no {@code --bind}) listens on loopback only, offers no operation that
     * writes (a POST to every actuator path, the Quartz endpoint's trigger included, is refused and runs nothing),
     * and still runs its schedules from their cron.
     */
    @Test
    void defaultServerListensOnLoopbackOnlyOffersNoWriteOperationAndRunsItsCron() throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.postgres(), dir, "server_readonly");
        m.appendToPlan("schedules:\n  yearly-status: { cron: \"0 0 3 1 1 ?\", command: status }\n"
                + "  every-2s: { cron: \"*/2 * * * * ?\", command: status }\n");
        int port = freePort();
        Process server = startServer(m, port, "server.log");
        SoftAssertions softly = new SoftAssertions();
        try {
            awaitUp(port, server, "server.log");
            InetAddress outside = nonLoopbackAddress();
            softly.assertThat(connects(outside, port)).as("reachable on %s", outside).isFalse();
            String plan = m.planName();
            for (String path : List.of("/actuator", "/actuator/health", "/actuator/info", "/actuator/metrics",
                    "/actuator/prometheus", "/actuator/quartz", "/actuator/quartz/jobs", "/actuator/quartz/triggers",
                    "/actuator/quartz/jobs/" + plan, "/actuator/quartz/triggers/" + plan,
                    "/actuator/quartz/jobs/" + plan + "/yearly-status", "/actuator/quartz/triggers/" + plan
                            + "/yearly-status", "/actuator/loggers/ROOT", "/actuator/shutdown", "/actuator/env",
                    "/actuator/caches", "/actuator/sessions", "/actuator/threaddump", "/actuator/heapdump", "/",
                    "/status")) {
                softly.assertThat(post(port, path, "{\"state\":\"running\"}")).as("POST %s", path).isIn(404, 405);
            }
            // three cron runs (every 2 s) after the POSTs: one they had started would have run by now
            awaitRuns(m, 3, null);
            softly.assertThat(runsOf(m, "yearly-status")).as("runs of the yearly schedule").isZero();
            softly.assertThat(Files.readString(dir.resolve("server.log"))).as("start-up line")
                    .contains("listening on http://127.0.0.1:" + port + "/");
        }
        finally {
            stop(server);
        }
        softly.assertAll();
    }

    /**
     * Bound beyond loopback (the plan's {@code server.bind}, the password in the file its {@code server.password-file}
     * names), every path but health needs the credentials: without them 401, with them 200; a POST with them is
     * still refused. Spring Security's generated password and login form never appear.
     */
    @Test
    void boundBeyondLoopbackItRequiresCredentialsAndHealthStaysOpen() throws Exception {
        MigrationFixture m = new MigrationFixture(TestDatabases.postgres(), dir, "server_auth");
        Path passwordFile = dir.resolve("server-password");
        Files.writeString(passwordFile, "s3cret-Pw\n");
        m.appendToPlan("server: { bind: \"0.0.0.0\", password-file: \"" + passwordFile + "\" }\n");
        InetAddress outside = nonLoopbackAddress();
        int port = freePort();
        Process server = ChildJvm.start(dir.resolve("server.log"), Map.of(ServerAccess.USER_VARIABLE, "ops"), "server",
                "--plan", m.plan().toString(), "--repository", m.repositoryUrl(), "--port", String.valueOf(port));
        SoftAssertions softly = new SoftAssertions();
        try {
            awaitUp(port, server, "server.log");
            String base = "http://" + outside.getHostAddress() + ":" + port;
            softly.assertThat(status(base + "/actuator/health", null)).as("health, no credentials").isEqualTo(200);
            for (String path : List.of("/", "/status", "/actuator/prometheus", "/actuator/metrics", "/actuator/info",
                    "/actuator/quartz", "/actuator", "/no-such-page")) {
                softly.assertThat(status(base + path, null)).as("GET %s without credentials", path).isEqualTo(401);
                softly.assertThat(status(base + path, "ops:wrong")).as("GET %s, wrong password", path).isEqualTo(401);
                softly.assertThat(status(base + path, "livemigrate:s3cret-Pw")).as("GET %s, wrong user", path)
                        .isEqualTo(401);
            }
            for (String path : List.of("/", "/status", "/actuator/prometheus", "/actuator/metrics", "/actuator/info",
                    "/actuator/quartz")) {
                softly.assertThat(status(base + path, "ops:s3cret-Pw")).as("GET %s with credentials", path)
                        .isEqualTo(200);
            }
            softly.assertThat(status(base + "/actuator/health", "ops:s3cret-Pw")).as("health, credentials")
                    .isEqualTo(200);
            HttpResponse<String> post = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base
                            + "/actuator/quartz/jobs/" + m.planName() + "/none")).header("Authorization", basic("ops:s3cret-Pw"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"state\":\"running\"}"))
                    .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
            softly.assertThat(post.statusCode()).as("POST with credentials").isIn(404, 405);
            softly.assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/status"))
                            .build(), HttpResponse.BodyHandlers.ofString()).headers().firstValue("WWW-Authenticate"))
                    .as("asks for basic authentication").hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
            softly.assertThat(status(base + "/login", null)).as("no login form").isIn(401, 404);
        }
        finally {
            stop(server);
        }
        String log = Files.readString(dir.resolve("server.log"));
        softly.assertThat(log).as("start-up line").contains("listening on http://0.0.0.0:" + port + "/")
                .contains("basic authentication as 'ops'")
                .doesNotContain("s3cret-Pw").doesNotContainIgnoringCase("generated security password");
        softly.assertAll();
    }

    /**
     * Told to listen beyond loopback ({@code --bind}, {@code server.bind}, {@code LIVEMIGRATE_SERVER_BIND}) with no
     * password, or with a password file it cannot read, the server refuses to start: one line, exit 2.
     */
    @Test
    void boundBeyondLoopbackWithoutCredentialsItRefusesToStart() throws Exception {
        Assumptions.assumeTrue(System.getenv(ServerAccess.PASSWORD_VARIABLE) == null,
                ServerAccess.PASSWORD_VARIABLE + " is set in the test's environment");
        MigrationFixture m = new MigrationFixture(TestDatabases.postgres(), dir, "server_refuses");
        String address = nonLoopbackAddress().getHostAddress();
        int port = freePort();
        assertRefused(m, m.plan(), "needs credentials", "--bind", "0.0.0.0", "--port", String.valueOf(port));
        assertRefused(m, m.plan(), "needs credentials", "--bind", address, "--port", String.valueOf(port));
        assertRefused(m, m.plan(), "is not an address of this machine", "--bind", "192.0.2.254", "--port", String.valueOf(port));
        Path plan = dir.resolve("bind-in-plan.yml");
        Files.writeString(plan, Files.readString(m.plan()) + "server: { bind: \"" + address + "\" }\n");
        assertRefused(m, plan, "needs credentials", "--port", String.valueOf(port));
        Files.writeString(plan, Files.readString(m.plan()) + "server: { bind: \"0.0.0.0\", password-file: \""
                + dir.resolve("missing") + "\" }\n");
        assertRefused(m, plan, "cannot read server.password-file", "--port", String.valueOf(port));
        assertThat(connects(InetAddress.getLoopbackAddress(), port)).as("nothing listens").isFalse();
    }

    private static void assertRefused(MigrationFixture m, Path plan, String message, String... args) {
        List<String> all = new ArrayList<>(List.of("server", "--plan", plan.toString(), "--repository",
                m.repositoryUrl()));
        all.addAll(List.of(args));
        assertThat(m.runArgs(all.toArray(String[]::new))).as(m.output()).isEqualTo(2);
        assertThat(m.output().strip()).as("one line").doesNotContain("\n").contains(message);
    }

    private static int status(String url, String credentials) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        if (credentials != null) {
            request.header("Authorization", basic(credentials));
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String basic(String credentials) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString(credentials.getBytes(
                java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Waits for {@code count} recorded runs, by nodes other than {@code exceptNode} if given. */
    private static void awaitRuns(MigrationFixture m, int count, String exceptNode) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (runs(m).stream().filter(r -> !r[1].equals(exceptNode)).count() < count) {
            assertThat(System.nanoTime()).as("%d runs within 180 s", count).isLessThan(deadline);
            Thread.sleep(500);
        }
    }

    /** Scheduled fire time, node, exit code of every recorded run. */
    private static List<String[]> runs(MigrationFixture m) throws SQLException {
        List<String[]> runs = new ArrayList<>();
        try (Connection c = repository(m); ResultSet rs = c.createStatement().executeQuery(
                "SELECT SCHEDULED_AT, NODE, EXIT_CODE FROM LIVEMIGRATE_SCHEDULE_RUN")) {
            while (rs.next()) {
                runs.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
            }
        }
        catch (SQLException notCreatedYet) {
            // the first server creates the table
        }
        return runs;
    }

    private static int runsOf(MigrationFixture m, String schedule) throws SQLException {
        try (Connection c = repository(m); PreparedStatement st = c.prepareStatement(
                "SELECT COUNT(*) FROM LIVEMIGRATE_SCHEDULE_RUN WHERE SCHEDULE_NAME = ?")) {
            st.setString(1, schedule);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** An address of this machine other than loopback, where a server bound to all interfaces is reachable. */
    static InetAddress nonLoopbackAddress() throws SocketException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                if (nic.isUp() && !a.isLoopbackAddress() && a instanceof Inet4Address) {
                    return a;
                }
            }
        }
        Assumptions.abort("this machine has no network address but loopback");
        return null;
    }

    static boolean connects(InetAddress address, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, port), 2000);
            return true;
        }
        catch (IOException refused) {
            return false;
        }
    }

    static int post(int port, String path, String json) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String planName(MigrationFixture m) {
        return m.dir().getFileName().toString().replaceAll("[^A-Za-z0-9_-]", "");
    }

    private static Connection repository(MigrationFixture m) throws SQLException {
        return DriverManager.getConnection(m.repositoryUrl(), "sa", "");
    }

    private Process startServer(MigrationFixture m, int port, String log) throws IOException {
        return ChildJvm.start(dir.resolve(log), Map.of(), "server", "--plan", m.plan().toString(), "--repository",
                m.repositoryUrl(), "--port", String.valueOf(port));
    }

    private void awaitUp(int port, Process server, String log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new AssertionError("server ended:\n" + Files.readString(dir.resolve(log)));
            }
            try {
                if (get(port, "/actuator/health").contains("UP")) {
                    return;
                }
            }
            catch (IOException notYet) {
                // still starting
            }
            Thread.sleep(300);
        }
        throw new AssertionError("server not up in 180 s:\n" + Files.readString(dir.resolve(log)));
    }

    private static String get(int port, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    private Path chromiumScreenshot(String url) throws Exception {
        Path profile = Files.createTempDirectory(dir, "chromium");
        Path out = dir.resolve("status-page.png");
        Process p = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--hide-scrollbars", "--window-size=1280,2400", "--user-data-dir=" + profile, "--screenshot=" + out, url)
                .redirectErrorStream(true).redirectOutput(dir.resolve("chromium-shot.log").toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        assertThat(out).as(Files.readString(dir.resolve("chromium-shot.log"))).exists();
        return out;
    }

    private String chromiumDom(String url) throws Exception {
        Path profile = Files.createTempDirectory(dir, "chromium");
        Path out = dir.resolve("dom.html");
        Process p = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--user-data-dir=" + profile, "--dump-dom", url)
                .redirectOutput(out.toFile()).redirectError(dir.resolve("chromium.log").toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        return Files.readString(out);
    }

    private static void stop(Process p) throws InterruptedException {
        if (!p.isAlive()) {
            return;
        }
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
