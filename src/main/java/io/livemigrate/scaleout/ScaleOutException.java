package io.livemigrate.scaleout;

/**
 * A scale-out set-up an operator must fix (no broker, unreachable broker, a repository other processes cannot
 * share): one message, exit 2, no stack trace. Never carries the broker password.
 */
public class ScaleOutException extends RuntimeException {

    public ScaleOutException(String message) {
        super(message);
    }
}
