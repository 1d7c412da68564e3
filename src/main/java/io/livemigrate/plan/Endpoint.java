package io.livemigrate.plan;

import java.util.regex.Pattern;

/**
 * One database server of a migration: where it is and how to log in.
 *
 * @param role "source" or "target", used in messages
 */
public record Endpoint(String role, String url, String user, Secret password) {

    private static final Pattern URL_SECRET = Pattern.compile("(?i)(password|passwd|pwd)=[^&;]*");

    /** The URL with any password parameter masked, safe for console and logs. */
    public String safeUrl() {
        return URL_SECRET.matcher(url).replaceAll("$1=****");
    }

    public EngineKind engineKind() {
        return EngineKind.fromUrl(url);
    }

    @Override
    public String toString() {
        return role + " " + safeUrl() + " as " + user;
    }
}
