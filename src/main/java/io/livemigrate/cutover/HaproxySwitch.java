package io.livemigrate.cutover;

import io.livemigrate.plan.CutoverOptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * {@code switch: haproxy} over HAProxy's runtime API (one command per connection): the source server goes to
 * maintenance and its established sessions are shut, so no client keeps writing to the old primary through a
 * connection opened before; then the target server goes to ready. Undo is the same the other way round.
 */
final class HaproxySwitch implements TrafficSwitch {

    private final CutoverOptions.Haproxy haproxy;
    private final int timeoutMillis;

    HaproxySwitch(CutoverOptions.Haproxy haproxy, int timeoutMillis) {
        this.haproxy = haproxy;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public String prepare() {
        return haproxy.sourceServer();
    }

    @Override
    public void apply() throws IOException {
        route(haproxy.sourceServer(), haproxy.targetServer());
    }

    @Override
    public void undo(String restore) throws IOException {
        route(haproxy.targetServer(), haproxy.sourceServer());
    }

    private void route(String from, String to) throws IOException {
        command("set server " + haproxy.backend() + "/" + from + " state maint");
        command("shutdown sessions server " + haproxy.backend() + "/" + from);
        command("set server " + haproxy.backend() + "/" + to + " state ready");
    }

    /** Sends one runtime API command; HAProxy answers with an empty line on success, text on an error. */
    String command(String command) throws IOException {
        int colon = haproxy.admin().lastIndexOf(':');
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(haproxy.admin().substring(0, colon),
                    Integer.parseInt(haproxy.admin().substring(colon + 1))), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            OutputStream out = socket.getOutputStream();
            out.write((command + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!answer.isEmpty() && !command.startsWith("show")) {
                throw new IOException("HAProxy '" + command + "': " + answer);
            }
            return answer;
        }
    }

    @Override
    public String describe() {
        return "HAProxy " + haproxy.backend() + ": " + haproxy.sourceServer() + " out, " + haproxy.targetServer() + " in";
    }
}
