package io.livemigrate.ops;

import io.livemigrate.engine.Secret;
import io.livemigrate.plan.ServerOptions;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.util.Map;

/**
 * Where the server listens and who may read it. It listens on loopback unless told otherwise ({@code --bind}, the
 * plan's {@code server.bind}, {@code LIVEMIGRATE_SERVER_BIND}, in that order). Bound beyond loopback, everything
 * but {@code /actuator/health} needs basic authentication, and a server without credentials refuses to start; on
 * loopback it needs them only once a password is configured. The password comes from
 * {@code LIVEMIGRATE_SERVER_PASSWORD} or the file the plan's {@code server.password-file} names, never from the plan
 * text or the command line (shared files, process lists); the user from {@code LIVEMIGRATE_SERVER_USER}, the plan's
 * {@code server.user}, else {@value #DEFAULT_USER}.
 */
public record ServerAccess(InetAddress address, String user, Secret password) {

    public static final String BIND_VARIABLE = "LIVEMIGRATE_SERVER_BIND";
    public static final String USER_VARIABLE = "LIVEMIGRATE_SERVER_USER";
    public static final String PASSWORD_VARIABLE = ServerOptions.PASSWORD_VARIABLE;
    static final String DEFAULT_USER = "livemigrate";
    private static final String LOOPBACK = "127.0.0.1";

    /**
     * @throws IllegalArgumentException with a message for the operator: an address this machine does not have, an
     *                                  unreadable password file, or no credentials for a server bound beyond loopback
     */
    public static ServerAccess resolve(String cliBind, ServerOptions plan, Map<String, String> env) {
        String bind = cliBind != null ? cliBind : plan.bind() != null ? plan.bind()
                : env.getOrDefault(BIND_VARIABLE, LOOPBACK);
        InetAddress address = localAddress(bind.strip());
        String user = env.getOrDefault(USER_VARIABLE, plan.user() != null ? plan.user() : DEFAULT_USER);
        Secret password = password(plan, env);
        if (!address.isLoopbackAddress() && password.isEmpty()) {
            throw new IllegalArgumentException("bound to " + bind + ", beyond loopback, the server needs credentials: "
                    + "set " + PASSWORD_VARIABLE + " or the plan's server.password-file (and " + USER_VARIABLE
                    + " or server.user, default '" + DEFAULT_USER + "'), or leave --bind off to listen on "
                    + LOOPBACK + " only");
        }
        return new ServerAccess(address, user, password);
    }

    /** Whether requests must authenticate: beyond loopback always, on loopback once a password is set. */
    public boolean authenticates() {
        return !password.isEmpty();
    }

    /** The base URL the start-up line prints. */
    public String url(int port) {
        String host = address.getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/";
    }

    public String describe(int port) {
        return "listening on " + url(port) + (address.isAnyLocalAddress() ? " (every interface)" : "")
                + (authenticates() ? ", basic authentication as '" + user + "' (/actuator/health open)" : "");
    }

    private static InetAddress localAddress(String bind) {
        InetAddress address;
        try {
            address = InetAddress.getByName(bind);
        }
        catch (UnknownHostException e) {
            throw new IllegalArgumentException("bind address '" + bind + "' is not an address or a known host name");
        }
        try {
            if (!address.isAnyLocalAddress() && !address.isLoopbackAddress()
                    && NetworkInterface.getByInetAddress(address) == null) {
                throw new IllegalArgumentException("bind address '" + bind + "' is not an address of this machine; "
                        + "give one of its addresses, or 0.0.0.0 for all of them");
            }
        }
        catch (SocketException e) {
            throw new IllegalArgumentException("cannot list this machine's addresses to check '" + bind + "': "
                    + e.getMessage());
        }
        return address;
    }

    private static Secret password(ServerOptions plan, Map<String, String> env) {
        String fromEnv = env.get(PASSWORD_VARIABLE);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return Secret.of(fromEnv);
        }
        if (plan.passwordFile() == null) {
            return Secret.NONE;
        }
        try {
            Secret fromFile = Secret.of(Files.readString(plan.passwordFile()).strip());
            if (fromFile.isEmpty()) {
                throw new IllegalArgumentException("server.password-file " + plan.passwordFile() + " is empty");
            }
            return fromFile;
        }
        catch (IOException e) {
            throw new IllegalArgumentException("cannot read server.password-file " + plan.passwordFile() + " ("
                    + e.getClass().getSimpleName() + "); check the path and its permissions");
        }
    }

    @Override
    public String toString() {
        return "ServerAccess[" + address.getHostAddress() + ", user " + user + ", password " + password + "]";
    }
}
