package io.livemigrate.engine;

/**
 * A password held in memory only. {@link #toString()} never reveals it, so a secret that ends up in a log line,
 * an exception message or a job parameter by accident prints as a mask.
 */
public final class Secret {

    public static final Secret NONE = new Secret("");

    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    public static Secret of(String value) {
        return value == null || value.isEmpty() ? NONE : new Secret(value);
    }

    /** The clear text, for handing to a JDBC driver and nothing else. */
    public String reveal() {
        return value;
    }

    public boolean isEmpty() {
        return value.isEmpty();
    }

    @Override
    public String toString() {
        return value.isEmpty() ? "" : "****";
    }
}
