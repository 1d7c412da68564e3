package io.livemigrate.plan;

import io.livemigrate.engine.CutoverDialect;
import io.livemigrate.engine.Secret;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/** Reads and validates a plan's optional {@code cutover} section; each method a section of it, errors by key. */
final class CutoverSection {

    private static final Set<String> KEYS = Set.of("fence", "switch", "max-pause", "max-lag", "app-roles",
            "pgbouncer", "haproxy", "command", "reverify-budget", "reverify", "require-rehearsal", "rehearsal-max-age");
    private static final Set<String> PGBOUNCER_KEYS = Set.of("admin", "admin-user", "admin-password",
            "admin-password-file", "config-file", "database");
    private static final Set<String> HAPROXY_KEYS = Set.of("admin", "backend", "source-server", "target-server");
    private static final Duration MAX = Duration.ofMinutes(10);

    private CutoverSection() {
    }

    static CutoverOptions read(YamlSection s, CutoverDialect engine) {
        if (!s.has("fence") && !s.has("switch")) {
            s.allowOnly(Set.of());
            return CutoverOptions.NONE;
        }
        s.allowOnly(KEYS);
        String fence = oneOf(s, "fence", CutoverOptions.FENCES);
        String switchTo = oneOf(s, "switch", CutoverOptions.SWITCHES);
        if (fence.equals("proxy-pause") && !switchTo.equals("pgbouncer")) {
            throw s.problem("fence", "proxy-pause pauses PgBouncer, so it needs switch: pgbouncer; with haproxy or "
                    + "command use fence: read-only");
        }
        if (switchTo.equals("pgbouncer") && !engine.pgBouncerFronts()) {
            throw s.problem("switch", "pgbouncer fronts PostgreSQL only; use haproxy or command");
        }
        var roles = s.stringList("app-roles", fence.equals("read-only") && engine.readOnlyFenceNeedsAppRoles());
        for (String role : roles) {
            if (!role.matches("[A-Za-z_][A-Za-z0-9_$.@%-]{0,62}")) {
                throw s.problem("app-roles", "'" + role + "' is not a role name livemigrate will put in SQL");
            }
        }
        if (fence.equals("read-only") && engine.readOnlyFenceNeedsAppRoles() && roles.isEmpty()) {
            throw s.problem("app-roles", "must list the application's roles: the read-only fence blocks their writes");
        }
        CutoverOptions.PgBouncer pgbouncer = switchTo.equals("pgbouncer") ? pgbouncer(s.section("pgbouncer", true)) : null;
        CutoverOptions.Haproxy haproxy = switchTo.equals("haproxy") ? haproxy(s.section("haproxy", true)) : null;
        String command = switchTo.equals("command") ? s.requiredString("command") : null;
        Duration maxPause = s.optionalDuration("max-pause", Duration.ofSeconds(10), MAX);
        return new CutoverOptions(fence, switchTo, maxPause, s.optionalDuration("max-lag", Duration.ofSeconds(1), MAX),
                roles, pgbouncer, haproxy, command, reverifyBudget(s, maxPause), reverifyFull(s),
                s.optionalBoolean("require-rehearsal", false),
                s.optionalDuration("rehearsal-max-age", CutoverOptions.DEFAULT_REHEARSAL_MAX_AGE, Duration.ofDays(30)));
    }

    /**
     * Spent while writes are held, so it must be shorter than max-pause; 0 skips the re-check (the full verify
     * stands). Unset: {@link CutoverOptions#DEFAULT_REVERIFY_BUDGET}, or half of max-pause when that is shorter.
     */
    private static Duration reverifyBudget(YamlSection s, Duration maxPause) {
        if (!s.has("reverify-budget")) {
            Duration half = maxPause.dividedBy(2);
            return half.compareTo(CutoverOptions.DEFAULT_REVERIFY_BUDGET) < 0 ? half : CutoverOptions.DEFAULT_REVERIFY_BUDGET;
        }
        Duration budget = s.durationOrZero("reverify-budget");
        if (!budget.isZero() && budget.compareTo(maxPause) >= 0) {
            throw s.problem("reverify-budget", s.requiredString("reverify-budget") + " does not fit in max-pause ("
                    + maxPause.toMillis() + "ms): writes are held while it runs; give less than max-pause, or 0 to skip");
        }
        return budget;
    }

    /** {@code reverify: budget} (the default: step 4 checks what fits in reverify-budget) or {@code full}. */
    private static boolean reverifyFull(YamlSection s) {
        if (!s.has("reverify")) {
            return false;
        }
        boolean full = oneOf(s, "reverify", java.util.List.of("budget", "full")).equals("full");
        if (full && s.has("reverify-budget") && s.durationOrZero("reverify-budget").isZero()) {
            throw s.problem("reverify", "full re-checks every changed key, but reverify-budget: 0 turns the re-check off;"
                    + " remove one of them");
        }
        return full;
    }

    private static String oneOf(YamlSection s, String key, java.util.List<String> allowed) {
        String value = s.requiredString(key);
        if (!allowed.contains(value)) {
            throw s.problem(key, "'" + value + "' is not one of " + allowed);
        }
        return value;
    }

    private static CutoverOptions.PgBouncer pgbouncer(YamlSection s) {
        s.allowOnly(PGBOUNCER_KEYS);
        String admin = hostPort(s, "admin");
        Path config = Path.of(s.requiredString("config-file"));
        if (!Files.isRegularFile(config)) {
            throw s.problem("config-file", config + " is not a file; give the pgbouncer.ini the switch rewrites");
        }
        if (s.has("admin-password") && s.has("admin-password-file")) {
            throw s.problem("admin-password", "give admin-password or admin-password-file, not both");
        }
        Secret password = Secret.of(s.optionalString("admin-password", ""));
        if (s.has("admin-password-file")) {
            try {
                password = Secret.of(Files.readString(Path.of(s.requiredString("admin-password-file"))).strip());
            }
            catch (java.io.IOException e) {
                throw s.problem("admin-password-file", "cannot read it (" + e.getClass().getSimpleName() + ")");
            }
        }
        return new CutoverOptions.PgBouncer(admin, s.optionalString("admin-user", "pgbouncer"), password, config,
                s.requiredString("database"));
    }

    private static CutoverOptions.Haproxy haproxy(YamlSection s) {
        s.allowOnly(HAPROXY_KEYS);
        return new CutoverOptions.Haproxy(hostPort(s, "admin"), s.requiredString("backend"),
                s.requiredString("source-server"), s.requiredString("target-server"));
    }

    private static String hostPort(YamlSection s, String key) {
        String value = s.requiredString(key);
        if (!value.matches("[^:\\s]+:\\d{1,5}")) {
            throw s.problem(key, "'" + value + "' is not host:port");
        }
        return value;
    }
}
