package io.livemigrate.plan;

import io.livemigrate.engine.Secret;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Where the message broker of a scaled-out job is: {@code amqp://user:password@host:5672/vhost}. The password is a
 * {@link Secret}; {@link #toString()} prints the address with it masked, so the address is safe in any message.
 */
public record BrokerAddress(String host, int port, String user, Secret password, String virtualHost) {

    public static final int DEFAULT_PORT = 5672;

    /**
     * Parses an AMQP URI. A password missing from the URI comes from {@code fallbackPassword} (e.g. the
     * environment), so operators can keep it out of plans and command lines.
     *
     * @throws IllegalArgumentException with a message free of the password
     */
    public static BrokerAddress parse(String uri, String fallbackPassword) {
        URI parsed;
        try {
            parsed = new URI(uri.trim());
        }
        catch (URISyntaxException e) {
            throw new IllegalArgumentException("is not an AMQP URI; write amqp://user:password@host:5672");
        }
        if (!"amqp".equalsIgnoreCase(parsed.getScheme()) || parsed.getHost() == null) {
            throw new IllegalArgumentException("is not an AMQP URI; write amqp://user:password@host:5672");
        }
        String user = "guest";
        String password = fallbackPassword == null ? "" : fallbackPassword;
        String info = parsed.getRawUserInfo();
        if (info != null) {
            int colon = info.indexOf(':');
            user = decode(colon < 0 ? info : info.substring(0, colon));
            if (colon >= 0) {
                password = decode(info.substring(colon + 1));
            }
        }
        String path = parsed.getRawPath();
        String vhost = path == null || path.length() <= 1 ? "/" : decode(path.substring(1));
        return new BrokerAddress(parsed.getHost(), parsed.getPort() < 0 ? DEFAULT_PORT : parsed.getPort(), user,
                Secret.of(password), vhost);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "amqp://" + user + (password.isEmpty() ? "" : ":****") + "@" + host + ":" + port
                + (virtualHost.equals("/") ? "" : "/" + virtualHost);
    }
}
