package io.livemigrate.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A real HAProxy in TCP mode with two backend servers, {@code source} (in service) and {@code target} (in
 * maintenance), and its runtime API on a TCP admin socket, which a cutover uses to swap them.
 */
public final class HaproxyProcess extends ExternalProcess {

    public static final String BINARY = "/usr/sbin/haproxy";
    public static final String BACKEND = "db";

    private final int adminPort;

    private HaproxyProcess(Path dir) throws IOException {
        super(dir);
        this.adminPort = freePort();
    }

    public static HaproxyProcess start(Path dir, int sourcePort, int targetPort) throws IOException, InterruptedException {
        HaproxyProcess p = new HaproxyProcess(dir);
        Files.writeString(p.dir.resolve("haproxy.cfg"), """
                global
                    stats socket ipv4@127.0.0.1:%d level admin
                defaults
                    mode tcp
                    timeout connect 2s
                    timeout client 1h
                    timeout server 1h
                frontend db_front
                    bind 127.0.0.1:%d
                    default_backend %s
                backend %s
                    server source 127.0.0.1:%d check inter 500ms
                    server target 127.0.0.1:%d check inter 500ms disabled
                """.formatted(p.adminPort, p.port, BACKEND, BACKEND, sourcePort, targetPort));
        p.start();
        return p;
    }

    /** host:port of the runtime API (admin level). */
    public String adminAddress() {
        return "127.0.0.1:" + adminPort;
    }

    @Override
    protected List<String> command() {
        return List.of(BINARY, "-f", dir.resolve("haproxy.cfg").toString(), "-db");
    }
}
