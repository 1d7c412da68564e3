package io.livemigrate.engine;

import java.util.regex.Pattern;

/**
 * One database server of a migration: where it is and how to log in.
 *
 * @param role "source" or "target", used in messages
 */
public record Endpoint(String role, String url, String user, Secret password) {

    private static final Pattern URL_SECRET = Pattern.compile("(?i)(password|passwd|pwd)=[^&;]*");
    /** {@code //user:secret@host}, as MySQL Connector/J and MariaDB Connector/J accept. */
    private static final Pattern URL_USER_INFO = Pattern.compile("(//[^/:@;?&]*):[^/@;?&]*@");

    /** The URL with any password parameter masked, safe for console and logs. */
    public String safeUrl() {
        return masked(url);
    }

    /**
     * {@code url} with any password masked, as a parameter or in the user-info part: the one masking of JDBC URLs,
     * for the repository's too.
     */
    public static String masked(String url) {
        String parameters = URL_SECRET.matcher(url).replaceAll("$1=****");
        return URL_USER_INFO.matcher(parameters).replaceAll("$1:****@");
    }

    /** The database named in the URL path ({@code jdbc:mysql://host:3306/shop?x=y} gives {@code shop}), or null. */
    public String database() {
        int hosts = url.indexOf("//");
        int slash = hosts < 0 ? -1 : url.indexOf('/', hosts + 2);
        if (slash < 0) {
            return null;
        }
        String rest = url.substring(slash + 1);
        int end = rest.length();
        for (char c : new char[] {'?', ';', '&'}) {
            int i = rest.indexOf(c);
            if (i >= 0) {
                end = Math.min(end, i);
            }
        }
        String db = rest.substring(0, end);
        return db.isEmpty() ? null : db;
    }

    public EngineKind engineKind() {
        return EngineKind.fromUrl(url);
    }

    @Override
    public String toString() {
        return role + " " + safeUrl() + " as " + user;
    }
}
