package io.livemigrate.ops;

import io.livemigrate.plan.ServerOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Where the server listens and whom it asks for credentials, from the command line, the plan and the environment. */
class ServerAccessTest {

    @TempDir
    Path dir;

    @Test
    void loopbackWithoutCredentialsByDefault() {
        ServerAccess access = ServerAccess.resolve(null, ServerOptions.DEFAULTS, Map.of());
        assertThat(access.address().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(access.authenticates()).isFalse();
        assertThat(access.describe(8080)).isEqualTo("listening on http://127.0.0.1:8080/");
    }

    @Test
    void commandLineThenPlanThenEnvironmentChooseTheAddress() {
        Map<String, String> env = Map.of(ServerAccess.BIND_VARIABLE, "0.0.0.0", ServerAccess.PASSWORD_VARIABLE, "pw");
        ServerOptions plan = new ServerOptions("::1", null, null);
        assertThat(ServerAccess.resolve("127.0.0.1", plan, env).address().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(ServerAccess.resolve(null, plan, env).address().isLoopbackAddress()).isTrue();
        assertThat(ServerAccess.resolve(null, plan, env).url(80)).isEqualTo("http://[0:0:0:0:0:0:0:1]:80/");
        ServerAccess wide = ServerAccess.resolve(null, ServerOptions.DEFAULTS, env);
        assertThat(wide.address().isAnyLocalAddress()).isTrue();
        assertThat(wide.describe(8080)).isEqualTo("listening on http://0.0.0.0:8080/ (every interface), basic "
                + "authentication as 'livemigrate' (/actuator/health open)");
    }

    @Test
    void userFromEnvironmentThenPlanPasswordFromEnvironmentThenFile() throws IOException {
        Path file = dir.resolve("pw");
        Files.writeString(file, "from-file\n");
        ServerOptions plan = new ServerOptions("0.0.0.0", "plan-user", file);
        ServerAccess fromFile = ServerAccess.resolve(null, plan, Map.of());
        assertThat(fromFile.user()).isEqualTo("plan-user");
        assertThat(fromFile.password().reveal()).isEqualTo("from-file");
        ServerAccess fromEnv = ServerAccess.resolve(null, plan, Map.of(ServerAccess.USER_VARIABLE, "env-user",
                ServerAccess.PASSWORD_VARIABLE, "from-env"));
        assertThat(fromEnv.user()).isEqualTo("env-user");
        assertThat(fromEnv.password().reveal()).isEqualTo("from-env");
        assertThat(fromEnv.toString()).doesNotContain("from-env");
        assertThat(ServerAccess.resolve(null, new ServerOptions(null, null, file), Map.of()).authenticates())
                .as("a configured password is required on loopback too").isTrue();
    }

    @Test
    void beyondLoopbackWithoutPasswordOrWithAnEmptyFileIsRefused() throws IOException {
        assertThatThrownBy(() -> ServerAccess.resolve("0.0.0.0", ServerOptions.DEFAULTS, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs credentials")
                .hasMessageContaining(ServerAccess.PASSWORD_VARIABLE);
        assertThatThrownBy(() -> ServerAccess.resolve(null, ServerOptions.DEFAULTS,
                Map.of(ServerAccess.BIND_VARIABLE, "0.0.0.0"))).hasMessageContaining("needs credentials");
        Path empty = dir.resolve("empty");
        Files.writeString(empty, "\n");
        assertThatThrownBy(() -> ServerAccess.resolve("0.0.0.0", new ServerOptions(null, null, empty), Map.of()))
                .hasMessageContaining("is empty");
        assertThatThrownBy(() -> ServerAccess.resolve("no-such-host.invalid", ServerOptions.DEFAULTS, Map.of()))
                .hasMessageContaining("not an address or a known host name");
    }
}
