package io.livemigrate.cli;

import io.livemigrate.demo.DemoData;
import io.livemigrate.demo.EmbeddedServer;
import io.livemigrate.demo.EmbeddedServers;
import io.livemigrate.demo.MySqlDemoData;
import io.livemigrate.demo.PostgresDemoData;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code demo}: the whole flow with no set-up. Starts an embedded source and target server per engine, seeds a
 * shop schema (several related tables, a few hundred thousand rows of varied types), then runs the real commands
 * against them, as an operator would, and prints what each did: check, copy, catch-up and verify, then the whole
 * move with the demo's application writing, its logged reads rehearsed before the first cutover ({@link DemoMove}).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Start embedded source and target servers, seed a shop schema, and run check, copy, catch-up and "
                + "verify on them; then, with an application writing, rehearse its reads, cutover, revert, cutover again "
                + "and complete.")
class DemoCommand implements Callable<Integer> {

    @Option(names = "--engine", description = "postgresql, mariadb or both (default: ${DEFAULT-VALUE})",
            defaultValue = "both")
    String engine;

    @Option(names = "--scale", description = "Data size; 1 is a few hundred thousand rows (default: ${DEFAULT-VALUE})",
            defaultValue = "1")
    int scale;

    @Option(names = "--dir", description = "Where servers, plans and the job repository live (default: ${DEFAULT-VALUE})",
            defaultValue = ".livemigrate/demo")
    Path dir;

    @Option(names = "--small", hidden = true, description = "A shop of a few thousand rows, for tests")
    boolean small;

    /** {@code --small}: enough rows for every table to have a few partitions' worth of keys, seeded in a second. */
    private static final DemoData.Counts SMALL = new DemoData.Counts(2_000, 1_000, 2_000, 2_000);

    @Override
    public Integer call() throws Exception {
        if (!List.of("postgresql", "mariadb", "both").contains(engine)) {
            throw new ErrorReporter.UsageException("--engine must be postgresql, mariadb or both, not '" + engine + "'");
        }
        Files.createDirectories(dir);
        List<String> engines = engine.equals("both") ? List.of("postgresql", "mariadb") : List.of(engine);
        int worst = ExitCodes.OK;
        for (String e : engines) {
            worst = Math.max(worst, runDemo(e));
        }
        return worst;
    }

    private int runDemo(String engine) throws Exception {
        boolean postgres = engine.equals("postgresql");
        DemoData data = postgres ? new PostgresDemoData() : new MySqlDemoData();
        DemoData.Counts counts = small ? SMALL : DemoData.Counts.atScale(scale);
        Path work = Files.createTempDirectory(dir.toAbsolutePath(), engine + "-");
        step("starting embedded " + engine + " source and target servers in " + work);
        // Two servers per engine: MySQL/MariaDB's read-only fence is server-wide.
        try (EmbeddedServer source = postgres ? EmbeddedServers.startPostgres(work.resolve("source"))
                : EmbeddedServers.startMariaDb(work.resolve("source"));
             EmbeddedServer target = postgres ? EmbeddedServers.startPostgres(work.resolve("target"))
                     : EmbeddedServers.startMariaDb(work.resolve("target"))) {
            String sourceUrl = source.createDatabase("shop");
            String targetUrl = target.createDatabase("shop");
            step("seeding the source's shop database (" + (small ? "small" : "scale " + scale) + ")");
            try (Connection c = source.connect("shop")) {
                System.out.println("  " + data.seed(c, counts));
            }
            String name = "demo-" + engine;
            Path plan = work.resolve(name + ".yml");
            DemoMove move = new DemoMove(work, plan, name, repositoryUrl(work), sourceUrl, targetUrl);
            Files.writeString(plan, "# written by livemigrate demo\n"
                    + "name: " + name + "\n"
                    + "source: { url: \"" + sourceUrl + "\", user: " + source.user() + " }\n"
                    + "target: { url: \"" + targetUrl + "\", user: " + target.user() + " }\n"
                    + "tables: { include: [\"" + (postgres ? "public" : "shop") + ".*\"] }\n"
                    + "copy: { threads: 2, chunk-rows: 10000, partition-rows: 50000 }\n"
                    + move.cutoverSection());
            String repository = repositoryUrl(work);
            List<Integer> codes = new ArrayList<>();
            for (String command : new String[] {"check", "copy"}) {
                codes.add(livemigrate(plan, repository, command));
            }
            step("the application goes on writing to the source");
            try (Connection c = source.connect("shop")) {
                System.out.println("  " + DemoData.changeWhileLive(c));
            }
            codes.add(livemigrate(plan, repository, "catchup", "--until-caught-up", "--max-lag", "0"));
            for (String command : new String[] {"verify", "status"}) {
                codes.add(livemigrate(plan, repository, command));
            }
            step("comparing row counts on both servers");
            boolean same = compareCounts(source, target);
            if (!same || codes.stream().anyMatch(c -> c != 0)) {
                System.out.println("demo " + engine + ": FAILED, see above");
                return same ? codes.stream().max(Integer::compare).orElse(0) : ExitCodes.JOB_FAILED;
            }
            int moved = move.run(source, target, c -> createApplicationUser(c, data), counts.customers());
            if (moved == ExitCodes.OK) {
                livemigrate(plan, repository, "status");
            }
            System.out.println(moved == ExitCodes.OK
                    ? "demo " + engine + ": copied, caught up and verified, then cut over, reverted and cut over again"
                    + " with the application writing, and completed; every write it committed is on the new primary. "
                    + "The plan and job repository are in " + work
                    : "demo " + engine + ": FAILED, see above");
            return moved;
        }
    }

    private static String repositoryUrl(Path work) {
        return "jdbc:h2:file:" + work.resolve("repository") + ";AUTO_SERVER=TRUE;AUTO_RECONNECT=TRUE";
    }

    private static void createApplicationUser(Connection admin, DemoData data) throws Exception {
        try (var st = admin.createStatement()) {
            for (String sql : data.applicationUserSql(DemoMove.APP_USER, DemoMove.APP_PASSWORD)) {
                st.execute(sql);
            }
        }
    }

    static int livemigrate(Path plan, String repository, String command, String... options) {
        List<String> args = new ArrayList<>(List.of(command, "--plan", plan.toString(), "--repository", repository));
        args.addAll(List.of(options));
        step("livemigrate " + String.join(" ", args));
        return Main.execute(args.toArray(String[]::new));
    }

    private static boolean compareCounts(EmbeddedServer source, EmbeddedServer target) throws Exception {
        boolean same = true;
        try (Connection s = source.connect("shop"); Connection t = target.connect("shop")) {
            for (String table : DemoData.TABLES) {
                long a = count(s, table);
                long b = count(t, table);
                System.out.printf("  %-14s source %,9d  target %,9d  %s%n", table, a, b, a == b ? "ok" : "DIFFERENT");
                same &= a == b;
            }
        }
        return same;
    }

    private static long count(Connection c, String table) throws Exception {
        try (var st = c.createStatement(); var rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void step(String what) {
        System.out.println();
        System.out.println("== " + what);
    }
}
