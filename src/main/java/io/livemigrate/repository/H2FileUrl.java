package io.livemigrate.repository;

import io.livemigrate.engine.Endpoint;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An H2 URL of a file database that the process opening it holds ({@code jdbc:h2:file:...}, or a path:
 * {@code jdbc:h2:/...}, {@code jdbc:h2:./...}, {@code jdbc:h2:~/...}), made fit for livemigrate's processes, which
 * share the job repository: a catch-up runs for days while {@code verify}, {@code status} and the cutover use it,
 * and the cutover's step 9 stops that catch-up through it. H2 shares such a file only with {@code AUTO_SERVER=TRUE}
 * (the first process to open it serves it to the others; AUTO_SERVER implies AUTO_RECONNECT), so a URL without the
 * setting gets it, as livemigrate's default repository has it; a URL that rules it out is refused, since the second
 * process would otherwise fail, after the open retry, with H2's "locked by another process". A commit is written to
 * the file at once ({@code WRITE_DELAY=0}) unless the URL says otherwise: a process killed with {@code kill -9} must
 * not take committed records with it, least of all a cutover's record of the fence it has put up.
 *
 * <p>Other H2 URLs (a standalone server over {@code tcp:}/{@code ssl:}, {@code mem:}) are left as they are.
 */
final class H2FileUrl {

    /** Settings with which H2 refuses AUTO_SERVER=TRUE, or that turn it off, and the values that do. */
    private static final Map<String, Set<String>> RULE_OUT_SHARING = Map.of(
            "AUTO_SERVER", Set.of("FALSE"),
            "FILE_LOCK", Set.of("NO", "FS"),
            "DB_CLOSE_ON_EXIT", Set.of("FALSE"));

    private H2FileUrl() {
    }

    static boolean isFile(String url) {
        if (!url.startsWith("jdbc:h2:")) {
            return false;
        }
        String rest = url.substring("jdbc:h2:".length());
        return rest.startsWith("file:") || rest.startsWith("/") || rest.startsWith("./") || rest.startsWith("../")
                || rest.startsWith("~");
    }

    /** The URL with AUTO_SERVER=TRUE and WRITE_DELAY=0 added where it has no such setting; other URLs as they are. */
    static String shared(String url) {
        if (!isFile(url)) {
            return url;
        }
        Map<String, String> settings = settings(url);
        settings.forEach((key, value) -> {
            if (RULE_OUT_SHARING.getOrDefault(key, Set.of()).contains(value)) {
                throw new RepositoryUrlException("--repository: " + Endpoint.masked(url) + " sets " + key + "="
                        + value + ", with which processes cannot share the H2 file, and livemigrate's do (catch-up runs"
                        + " while verify, status and the cutover use the job repository, and the cutover stops it "
                        + "through it); remove that setting (livemigrate opens H2 files with AUTO_SERVER=TRUE), or use"
                        + " a standalone H2 server (jdbc:h2:tcp://...) or a PostgreSQL or MySQL repository");
            }
        });
        String shared = url;
        if (!settings.containsKey("AUTO_SERVER")) {
            shared += ";AUTO_SERVER=TRUE";
        }
        if (!settings.containsKey("WRITE_DELAY")) {
            shared += ";WRITE_DELAY=0";
        }
        return shared;
    }

    /** The URL's {@code ;KEY=VALUE} settings, keys and values upper case (H2 reads both without regard to case). */
    private static Map<String, String> settings(String url) {
        Map<String, String> settings = new LinkedHashMap<>();
        String[] parts = url.split(";");
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            String key = (eq < 0 ? parts[i] : parts[i].substring(0, eq)).trim().toUpperCase(Locale.ROOT);
            if (!key.isEmpty()) {
                settings.put(key, eq < 0 ? "" : parts[i].substring(eq + 1).trim().toUpperCase(Locale.ROOT));
            }
        }
        return settings;
    }
}
