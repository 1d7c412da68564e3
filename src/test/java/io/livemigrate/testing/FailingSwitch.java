package io.livemigrate.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;

import static io.livemigrate.testing.TableContents.execute;

/**
 * A PostgreSQL migration of {@link KeyedTables} whose cutover has a read-only fence for an application role and an
 * operator's switch command that fails (exit 3) on the way to the target until {@link #letTheSwitchSucceed()}, and
 * can always go back: for tests that follow a rolled-back cutover, a cutover and what comes after.
 */
public final class FailingSwitch {

    private final MigrationFixture migration;
    private final Path failSwitch;

    private FailingSwitch(MigrationFixture migration, Path failSwitch) {
        this.migration = migration;
        this.failSwitch = failSwitch;
    }

    /**
     * @param appRole      the application's role, created on the source server if missing
     * @param moreCutover  further lines of the plan's {@code cutover:} section, each {@code "  key: value\n"}
     */
    public static FailingSwitch postgres(Path dir, String prefix, String appRole, String moreCutover)
            throws Exception {
        MigrationFixture m = KeyedTables.fixture(dir, "postgres", prefix);
        try (Connection s = m.source()) {
            execute(s, "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '" + appRole + "') THEN "
                    + "CREATE ROLE " + appRole + "; END IF; END $$");
        }
        Path failSwitch = dir.resolve("fail-switch");
        Path script = dir.resolve("switch.sh");
        Files.writeString(script, "[ \"$TARGET_DATABASE\" = '" + m.targetDatabase() + "' ] && [ -e '" + failSwitch
                + "' ] && exit 3\nexit 0\n");
        Files.createFile(failSwitch);
        Files.writeString(m.plan(), "cutover:\n  fence: read-only\n  switch: command\n  command: \"sh " + script + "\"\n"
                + "  app-roles: [" + appRole + "]\n  max-pause: 10s\n  max-lag: 2s\n" + moreCutover,
                StandardOpenOption.APPEND);
        return new FailingSwitch(m, failSwitch);
    }

    public MigrationFixture migration() {
        return migration;
    }

    /** From now on the switch command succeeds both ways. */
    public void letTheSwitchSucceed() throws Exception {
        Files.delete(failSwitch);
    }

    /**
     * Waits until the catch-up {@code catchup} (of {@code plan}: {@code <name>-reverse} for the reverse stream)
     * reports a lag under a second, updating a row on {@code side}, the side it reads from, each round.
     */
    public void awaitCaughtUp(Process catchup, String plan, CatchupLag.Side side) throws Exception {
        CatchupLag.awaitCaughtUp(migration, plan, catchup, side, "UPDATE acct SET v = v + 1 WHERE id = 5");
    }
}
