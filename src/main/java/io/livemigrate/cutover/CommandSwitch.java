package io.livemigrate.cutover;

import io.livemigrate.engine.Endpoint;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code switch: command}: runs the operator's script ({@code sh -c}) for DNS, service discovery or application
 * configuration, with the new primary's coordinates in {@code TARGET_URL/HOST/PORT/DATABASE/USER} and the old one's
 * in {@code SOURCE_*} (no passwords: the script has its own). Exit 0 means switched; anything else, or running past
 * the time left, fails the switch. Undo runs the same script with the roles swapped; the script must be idempotent.
 */
final class CommandSwitch implements TrafficSwitch {

    private final String command;
    private final Endpoint from;
    private final Endpoint to;
    private final long timeoutMillis;

    CommandSwitch(String command, Endpoint from, Endpoint to, long timeoutMillis) {
        this.command = command;
        this.from = from;
        this.to = to;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public String prepare() {
        return "";
    }

    @Override
    public void apply() throws IOException, InterruptedException {
        run(from, to);
    }

    @Override
    public void undo(String restore) throws IOException, InterruptedException {
        run(to, from);
    }

    private void run(Endpoint oldPrimary, Endpoint newPrimary) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("sh", "-c", command).inheritIO();
        Map<String, String> env = pb.environment();
        put(env, "TARGET", newPrimary);
        put(env, "SOURCE", oldPrimary);
        Process p = pb.start();
        if (!p.waitFor(timeoutMillis, TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException("the switch command ran longer than " + timeoutMillis + " ms and was killed");
        }
        if (p.exitValue() != 0) {
            throw new IOException("the switch command exited with " + p.exitValue());
        }
    }

    private static void put(Map<String, String> env, String prefix, Endpoint endpoint) {
        ServerAddress a = ServerAddress.of(endpoint);
        env.put(prefix + "_URL", endpoint.safeUrl());
        env.put(prefix + "_HOST", a.host());
        env.put(prefix + "_PORT", String.valueOf(a.port()));
        env.put(prefix + "_DATABASE", a.database());
        env.put(prefix + "_USER", endpoint.user());
    }

    @Override
    public String describe() {
        return "command: " + command;
    }
}
