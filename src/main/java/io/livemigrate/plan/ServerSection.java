package io.livemigrate.plan;

import java.nio.file.Path;
import java.util.Set;

/**
 * Reads a plan's optional {@code server} section. The password itself is never a key here: plans are shared and
 * committed, so it comes from the environment or from the file {@code password-file} names.
 */
final class ServerSection {

    private static final Set<String> KEYS = Set.of("bind", "user", "password-file");

    private ServerSection() {
    }

    static ServerOptions read(YamlSection s) {
        if (s.has("password")) {
            throw s.problem("password", "the server's password does not go in the plan (plans are shared and "
                    + "committed): set " + ServerOptions.PASSWORD_VARIABLE + ", or name a file with server.password-file");
        }
        s.allowOnly(KEYS);
        return new ServerOptions(s.has("bind") ? s.requiredString("bind") : null,
                s.has("user") ? s.requiredString("user") : null,
                s.has("password-file") ? Path.of(s.requiredString("password-file")) : null);
    }
}
