package io.livemigrate.cutover;

import io.livemigrate.core.MigrationResources;
import io.livemigrate.engine.CutoverDialect;
import io.livemigrate.engine.Fence;
import io.livemigrate.plan.CutoverOptions;
import io.livemigrate.plan.MigrationPlan;

/** Builds the plan's fence and switch. */
final class FenceAndSwitchFactory {

    private final MigrationResources resources;
    private final CutoverDialect dialect;

    private final java.util.List<io.livemigrate.engine.TableId> sourceTables;

    FenceAndSwitchFactory(MigrationResources resources, CutoverDialect dialect,
                   java.util.List<io.livemigrate.engine.TableId> sourceTables) {
        this.resources = resources;
        this.dialect = dialect;
        this.sourceTables = java.util.List.copyOf(sourceTables);
    }

    Fence fence() {
        CutoverOptions options = resources.plan().cutover();
        return switch (options.fence()) {
            case "proxy-pause" -> new ProxyPauseFence(options.pgbouncer(), timeoutMillis());
            case "read-only" -> dialect.readOnlyFence(resources.source(), resources.target(),
                    ServerAddress.of(resources.plan().source()).database(), options.appRoles(), sourceTables,
                    resources.plan().isReverse() ? resources.plan().reversed().name() : resources.plan().name());
            default -> throw new IllegalStateException("unknown fence " + options.fence());
        };
    }

    TrafficSwitch trafficSwitch() {
        MigrationPlan plan = resources.plan();
        CutoverOptions options = plan.cutover();
        return switch (options.switchTo()) {
            case "pgbouncer" -> new PgBouncerSwitch(options.pgbouncer(), ServerAddress.of(plan.target()), timeoutMillis());
            case "haproxy" -> new HaproxySwitch(options.haproxy(), timeoutMillis());
            case "command" -> new CommandSwitch(options.command(), plan.source(), plan.target(), timeoutMillis());
            default -> throw new IllegalStateException("unknown switch " + options.switchTo());
        };
    }

    /** Removes the reverse stream's capture objects a rolled-back run created on the target. */
    void dropPreparedReverse() throws java.sql.SQLException {
        try (java.sql.Connection target = resources.target().getConnection()) {
            target.setAutoCommit(true);
            dialect.dropPreparedReverse(target, resources.plan().reversed().captureName());
        }
    }

    /** No single proxy call may take longer than the whole pause is allowed to. */
    private int timeoutMillis() {
        return (int) Math.max(1000, resources.plan().cutover().maxPause().toMillis());
    }
}
