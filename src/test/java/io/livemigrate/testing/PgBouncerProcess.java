package io.livemigrate.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real PgBouncer in front of a PostgreSQL database, on a free port, in transaction pooling mode, with an admin
 * console user. {@link #configFile()} is what a cutover rewrites to point the database entry elsewhere.
 */
public final class PgBouncerProcess extends ExternalProcess {

    public static final String BINARY = "/usr/sbin/pgbouncer";
    public static final String ADMIN_USER = "pgbouncer_admin";

    private final String database;

    private PgBouncerProcess(Path dir, String database) throws IOException {
        super(dir);
        this.database = database;
    }

    /** Starts PgBouncer exposing {@code database} as served by PostgreSQL on 127.0.0.1:{@code backendPort}. */
    public static PgBouncerProcess start(Path dir, String database, int backendPort, String user)
            throws IOException, InterruptedException {
        PgBouncerProcess p = new PgBouncerProcess(dir, database);
        Files.writeString(p.dir.resolve("users.txt"), "\"" + user + "\" \"\"\n\"" + ADMIN_USER + "\" \"\"\n");
        Files.writeString(p.configFile(), """
                [databases]
                %s = host=127.0.0.1 port=%d dbname=%s
                [pgbouncer]
                listen_addr = 127.0.0.1
                listen_port = %d
                unix_socket_dir =
                auth_type = trust
                auth_file = %s
                admin_users = %s
                pool_mode = transaction
                max_client_conn = 200
                default_pool_size = 20
                ignore_startup_parameters = extra_float_digits,options
                logfile = %s
                pidfile = %s
                %s
                """.formatted(database, backendPort, database, p.port, p.dir.resolve("users.txt"), ADMIN_USER,
                p.dir.resolve("pgbouncer.log"), p.dir.resolve("pgbouncer.pid"), unprivilegedUser(p.dir)));
        p.start();
        return p;
    }

    /**
     * PgBouncer refuses to run as root; started as root (CI), it switches to the user named here, which must be
     * able to write its log and pid file.
     */
    private static String unprivilegedUser(Path dir) throws IOException {
        if (!"root".equals(System.getProperty("user.name"))) {
            return "";
        }
        for (Path p = dir; p != null; p = p.getParent()) {
            p.toFile().setExecutable(true, false);
        }
        dir.toFile().setWritable(true, false);
        return "user = nobody";
    }

    public Path configFile() {
        return dir.resolve("pgbouncer.ini");
    }

    /** The JDBC URL clients use: PgBouncer in transaction mode needs simple or unprepared statements. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database + "?prepareThreshold=0";
    }

    public String database() {
        return database;
    }

    @Override
    protected List<String> command() {
        return List.of(BINARY, configFile().toString());
    }
}
