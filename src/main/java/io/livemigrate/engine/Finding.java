package io.livemigrate.engine;

/**
 * One problem preflight found.
 *
 * @param severity ERROR refuses the migration; WARNING is shown and the migration may go on
 * @param subject  what it is about: a table's qualified name, or "source"/"target" for a server
 * @param problem  what is wrong, in plain words
 * @param remedy   what the operator can do about it
 */
public record Finding(Severity severity, String subject, String problem, String remedy) {

    public enum Severity { ERROR, WARNING }

    public static Finding error(String subject, String problem, String remedy) {
        return new Finding(Severity.ERROR, subject, problem, remedy);
    }

    public static Finding warning(String subject, String problem, String remedy) {
        return new Finding(Severity.WARNING, subject, problem, remedy);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    @Override
    public String toString() {
        return severity + " " + subject + ": " + problem + (remedy == null || remedy.isEmpty() ? "" : " -> " + remedy);
    }
}
