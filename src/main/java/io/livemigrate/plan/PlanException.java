package io.livemigrate.plan;

/**
 * A plan that cannot be used: names the file, the key and what is wrong, in one line an operator can act on.
 * Never carries a secret: messages are built from key names and non-secret values only.
 */
public class PlanException extends RuntimeException {

    public PlanException(String message) {
        super(message);
    }

    public static PlanException at(String file, String key, String problem) {
        return new PlanException(file + ": " + (key == null || key.isEmpty() ? "" : key + ": ") + problem);
    }
}
