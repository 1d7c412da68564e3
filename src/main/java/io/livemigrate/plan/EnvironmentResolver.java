package io.livemigrate.plan;

import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves {@code ${VAR}} and {@code ${VAR:-default}} in plan values from the environment. An unset variable
 * without a default is an error naming the variable, never silently empty.
 */
final class EnvironmentResolver {

    private static final Pattern REFERENCE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");

    private final Function<String, String> environment;

    EnvironmentResolver(Function<String, String> environment) {
        this.environment = environment;
    }

    static EnvironmentResolver system() {
        Map<String, String> env = System.getenv();
        return new EnvironmentResolver(env::get);
    }

    /** @throws UnsetVariableException naming the first variable that is not set */
    String resolve(String value) {
        Matcher m = REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = environment.apply(m.group(1));
            if (replacement == null) {
                if (m.group(2) == null) {
                    throw new UnsetVariableException(m.group(1));
                }
                replacement = m.group(3);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    static final class UnsetVariableException extends RuntimeException {
        final String variable;

        UnsetVariableException(String variable) {
            super("environment variable " + variable + " is not set");
            this.variable = variable;
        }
    }
}
