package io.livemigrate.plan;

import java.nio.file.Path;

/**
 * The plan's optional {@code server} section: where {@code server} listens and who may read it.
 *
 * @param bind         the address to listen on, or null for the default (loopback)
 * @param user         the user name for basic authentication, or null for the default
 * @param passwordFile a file holding the password for basic authentication, or null; read when the server starts,
 *                     so only the machine that runs the server needs it
 */
public record ServerOptions(String bind, String user, Path passwordFile) {

    public static final ServerOptions DEFAULTS = new ServerOptions(null, null, null);

    /** The environment variable with the server's password, the alternative to {@code passwordFile}. */
    public static final String PASSWORD_VARIABLE = "LIVEMIGRATE_SERVER_PASSWORD";
}
