package io.livemigrate.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** One mapping of a plan, with typed, validated access and error messages that carry the dotted key path. */
final class YamlSection {

    private final String file;
    private final String path;
    private final Map<String, Object> values;
    private final EnvironmentResolver environment;

    YamlSection(String file, String path, Map<String, Object> values, EnvironmentResolver environment) {
        this.file = file;
        this.path = path;
        this.values = values;
        this.environment = environment;
    }

    PlanException problem(String key, String problem) {
        return PlanException.at(file, path.isEmpty() ? key : path + "." + key, problem);
    }

    void allowOnly(Set<String> known) {
        for (Object key : values.keySet()) {
            if (!known.contains(String.valueOf(key))) {
                throw problem(String.valueOf(key), "unknown key; known keys here are " + new TreeSet<>(known));
            }
        }
    }

    /** The keys of this mapping, in file order. */
    List<String> keys() {
        return values.keySet().stream().map(String::valueOf).toList();
    }

    boolean isList(String key) {
        return values.get(key) instanceof List;
    }

    boolean has(String key) {
        return values.get(key) != null;
    }

    YamlSection section(String key, boolean required) {
        Object value = values.get(key);
        if (value == null) {
            if (required) {
                throw problem(key, "missing; every plan needs it");
            }
            return new YamlSection(file, qualified(key), Map.of(), environment);
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw problem(key, "must be a mapping of keys to values");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> typed = (Map<String, Object>) map;
        return new YamlSection(file, qualified(key), typed, environment);
    }

    String requiredString(String key) {
        if (!has(key)) {
            throw problem(key, "missing; every plan needs it");
        }
        String value = optionalString(key, "");
        if (value.isBlank()) {
            throw problem(key, "is empty");
        }
        return value;
    }

    String optionalString(String key, String defaultValue) {
        Object value = values.get(key);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof Map || value instanceof List) {
            throw problem(key, "must be a single value");
        }
        return resolve(key, String.valueOf(value));
    }

    long optionalLong(String key, long defaultValue, long min, long max) {
        String text = optionalString(key, null);
        if (text == null) {
            return defaultValue;
        }
        long value;
        try {
            value = Long.parseLong(text.replace("_", ""));
        }
        catch (NumberFormatException e) {
            throw problem(key, "'" + text + "' is not a whole number");
        }
        if (value < min || value > max) {
            throw problem(key, value + " is out of range; use " + min + " to " + max);
        }
        return value;
    }

    boolean optionalBoolean(String key, boolean defaultValue) {
        String text = optionalString(key, null);
        if (text == null) {
            return defaultValue;
        }
        if (!text.equals("true") && !text.equals("false")) {
            throw problem(key, "'" + text + "' is not true or false");
        }
        return Boolean.parseBoolean(text);
    }

    /** A duration such as {@code 500ms}, {@code 10s} or {@code 2m}, within {@code max}. */
    java.time.Duration optionalDuration(String key, java.time.Duration defaultValue, java.time.Duration max) {
        String text = optionalString(key, null);
        if (text == null) {
            return defaultValue;
        }
        java.time.Duration d = duration(key, text);
        if (d.isZero() || d.compareTo(max) > 0) {
            throw problem(key, text + " is out of range; use more than 0 and at most " + max.toSeconds() + "s");
        }
        return d;
    }

    /** A duration as {@link #optionalDuration} reads it, or {@code 0} (in any unit) for "off". */
    java.time.Duration durationOrZero(String key) {
        String text = requiredString(key);
        return text.trim().equals("0") ? java.time.Duration.ZERO : duration(key, text);
    }

    private java.time.Duration duration(String key, String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)").matcher(text.trim());
        if (!m.matches()) {
            throw problem(key, "'" + text + "' is not a duration; write e.g. 500ms, 10s, 2m or 24h");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> java.time.Duration.ofMillis(n);
            case "s" -> java.time.Duration.ofSeconds(n);
            case "h" -> java.time.Duration.ofHours(n);
            default -> java.time.Duration.ofMinutes(n);
        };
    }

    List<String> stringList(String key, boolean required) {
        Object value = values.get(key);
        if (value == null) {
            if (required) {
                throw problem(key, "missing; every plan needs it");
            }
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            throw problem(key, "must be a list, e.g. [\"public.*\"]");
        }
        List<String> result = new ArrayList<>();
        for (Object item : list) {
            result.add(resolve(key, String.valueOf(item)));
        }
        return result;
    }

    private String resolve(String key, String raw) {
        try {
            return environment.resolve(raw);
        }
        catch (EnvironmentResolver.UnsetVariableException e) {
            throw problem(key, "environment variable " + e.variable + " is not set; export it before running "
                    + "(or give a default: ${" + e.variable + ":-value})");
        }
    }

    private String qualified(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}
