package io.livemigrate.plan;

import io.livemigrate.engine.Secret;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The plan's {@code cutover} section: how writes are fenced on the old primary and how traffic is switched.
 *
 * @param fence     {@code proxy-pause} (PgBouncer PAUSE) or {@code read-only} (the engine's own write block)
 * @param switchTo  {@code pgbouncer}, {@code haproxy} or {@code command}
 * @param maxPause  the longest writes may be held; past it the cutover unfences and aborts
 * @param maxLag    catch-up lag the preconditions accept
 * @param appRoles  the application's database roles (PostgreSQL read-only fence, MySQL connections to end)
 * @param command   the operator's switch script ({@code switch: command}), run by {@code sh -c}
 * @param reverifyBudget how long step 4 may spend re-checking the rows changed since the last verification (writes
 *                  are held meanwhile); zero skips it
 * @param reverifyFull {@code reverify: full}: step 4 checks every changed key whatever the budget, so the switch
 *                  waits for all of them
 * @param requireRehearsal {@code require-rehearsal: true}: a clean rehearsal (results compared, no difference, no
 *                  regression) must have finished within {@code rehearsal-max-age} (default 24h)
 */
public record CutoverOptions(String fence, String switchTo, Duration maxPause, Duration maxLag, List<String> appRoles,
                             PgBouncer pgbouncer, Haproxy haproxy, String command,
                             Duration reverifyBudget, boolean reverifyFull, boolean requireRehearsal,
                             Duration rehearsalMaxAge) {

    public static final List<String> FENCES = List.of("proxy-pause", "read-only");
    public static final List<String> SWITCHES = List.of("pgbouncer", "haproxy", "command");
    public static final Duration DEFAULT_REVERIFY_BUDGET = Duration.ofMillis(100);
    public static final Duration DEFAULT_REHEARSAL_MAX_AGE = Duration.ofHours(24);
    public static final CutoverOptions NONE = new CutoverOptions(null, null, Duration.ofSeconds(10),
            Duration.ofSeconds(1), List.of(), null, null, null, DEFAULT_REVERIFY_BUDGET, false, false,
            DEFAULT_REHEARSAL_MAX_AGE);

    public CutoverOptions {
        appRoles = List.copyOf(appRoles);
    }

    public boolean configured() {
        return fence != null;
    }

    /** The same settings for the other direction (revert): HAProxy's servers trade places. */
    public CutoverOptions reversed() {
        return new CutoverOptions(fence, switchTo, maxPause, maxLag, appRoles, pgbouncer,
                haproxy == null ? null : haproxy.reversed(), command, reverifyBudget, reverifyFull, requireRehearsal,
                rehearsalMaxAge);
    }

    /**
     * PgBouncer's admin console and the configuration file whose {@code [databases]} entry the switch rewrites.
     *
     * @param admin    host:port of PgBouncer
     * @param database the database entry the application connects to
     */
    public record PgBouncer(String admin, String adminUser, Secret adminPassword, Path configFile, String database) {
    }

    /** HAProxy's runtime API (admin level, TCP) and the backend whose servers trade places. */
    public record Haproxy(String admin, String backend, String sourceServer, String targetServer) {

        Haproxy reversed() {
            return new Haproxy(admin, backend, targetServer, sourceServer);
        }
    }
}
