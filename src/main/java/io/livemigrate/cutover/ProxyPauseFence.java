package io.livemigrate.cutover;

import io.livemigrate.engine.Fence;
import io.livemigrate.plan.CutoverOptions;

import java.io.IOException;

/**
 * {@code proxy-pause}: PgBouncer's {@code PAUSE db} returns once every in-flight transaction has finished and the
 * server connections are released; new queries wait in PgBouncer, so clients see a pause, not errors.
 * {@code RESUME db} lets them through, to wherever the database entry points by then.
 */
final class ProxyPauseFence implements Fence {

    private final CutoverOptions.PgBouncer pgbouncer;
    private final int timeoutMillis;

    ProxyPauseFence(CutoverOptions.PgBouncer pgbouncer, int timeoutMillis) {
        this.pgbouncer = pgbouncer;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public String prepare() {
        return "paused";
    }

    @Override
    public void apply() throws IOException {
        try (PgBouncerConsole console = console()) {
            console.execute("PAUSE " + pgbouncer.database());
        }
    }

    @Override
    public void lift(String restore) throws IOException {
        try (PgBouncerConsole console = console()) {
            console.execute("RESUME " + pgbouncer.database());
        }
        catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("not paused")) {
                throw e;
            }
        }
    }

    private PgBouncerConsole console() throws IOException {
        return new PgBouncerConsole(pgbouncer.admin(), pgbouncer.adminUser(), pgbouncer.adminPassword(), timeoutMillis);
    }

    @Override
    public String describe() {
        return "PgBouncer PAUSE " + pgbouncer.database() + " at " + pgbouncer.admin();
    }
}
