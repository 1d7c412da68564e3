package io.livemigrate.repository;

import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

/** Which failures to open the H2 repository are another process's race for it, retried, and which are not. */
class RepositoryLockRetryTest {

    @Test
    void anOwnerThatExitsWhileWeConnectIsARaceAndAnyOtherBrokenConnectionIsNot() {
        // the owner's port closed: refused, or accepted and then closed as the owner shut down
        assertThat(RepositoryLockRetry.locked(broken(new ConnectException("Connection refused")))).isTrue();
        assertThat(RepositoryLockRetry.locked(broken(new EOFException("localhost:33125")))).isTrue();
        assertThat(RepositoryLockRetry.locked(new RuntimeException(broken(new EOFException("localhost:1"))))).isTrue();
        assertThat(RepositoryLockRetry.locked(broken(new IOException("Connection reset")))).isFalse();
        assertThat(RepositoryLockRetry.locked(new SQLException("wrong user name or password", "28000", 28000)))
                .isFalse();
    }

    private static SQLException broken(Throwable cause) {
        return new SQLException("Connection is broken: \"" + cause + "\"", "90067", 90067, cause);
    }
}
