package io.livemigrate.cutover;

import io.livemigrate.engine.Endpoint;

import java.net.URI;

/** Host, port and database of an endpoint's JDBC URL: what a proxy or an operator script needs. */
record ServerAddress(String host, int port, String database) {

    static ServerAddress of(Endpoint endpoint) {
        URI uri = URI.create(endpoint.url().substring("jdbc:".length()));
        int defaultPort = endpoint.engineKind().defaultPort();
        String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
        return new ServerAddress(uri.getHost(), uri.getPort() < 0 ? defaultPort : uri.getPort(), path);
    }
}
