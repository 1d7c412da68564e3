package io.livemigrate.repository;

/**
 * A {@code --repository} (or {@code LIVEMIGRATE_REPOSITORY_URL}) that cannot be used, refused before anything is
 * opened: an operator's mistake (exit 2). The message names the URL masked, never with its password.
 */
public final class RepositoryUrlException extends IllegalArgumentException {

    RepositoryUrlException(String message) {
        super(message);
    }
}
