package io.livemigrate.cutover;

import io.livemigrate.engine.Secret;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * A minimal client for PgBouncer's admin console ({@code PAUSE db}, {@code RELOAD}, {@code RESUME db},
 * {@code SHOW DATABASES}): the simple query protocol with trust, cleartext or md5 authentication. PgJDBC cannot be
 * used because it sends session settings the console rejects, and shelling out to psql would add a binary.
 */
final class PgBouncerConsole implements AutoCloseable {

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;

    PgBouncerConsole(String hostPort, String user, Secret password, int timeoutMillis) throws IOException {
        int colon = hostPort.lastIndexOf(':');
        socket = new Socket();
        socket.connect(new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))),
                timeoutMillis);
        socket.setSoTimeout(timeoutMillis);
        socket.setTcpNoDelay(true);
        in = new DataInputStream(socket.getInputStream());
        // Buffered so each message leaves in one write: PgBouncer's console drops a client whose query packet
        // arrives in pieces ("incomplete pkt").
        out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), 8192));
        try {
            startup(user, password);
        }
        catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private void startup(String user, Secret password) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataOutputStream b = new DataOutputStream(body);
        b.writeInt(196608);
        for (String s : new String[] {"user", user, "database", "pgbouncer"}) {
            cstring(b, s);
        }
        b.writeByte(0);
        out.writeInt(body.size() + 4);
        body.writeTo(out);
        out.flush();
        while (true) {
            char type = (char) in.readByte();
            byte[] msg = new byte[in.readInt() - 4];
            in.readFully(msg);
            switch (type) {
                case 'R' -> authenticate(msg, user, password);
                case 'E' -> throw new IOException("PgBouncer console refused the login: " + errorMessage(msg));
                case 'Z' -> {
                    return;
                }
                default -> {
                    // ParameterStatus, BackendKeyData, notices: not needed
                }
            }
        }
    }

    private void authenticate(byte[] msg, String user, Secret password) throws IOException {
        int code = ((msg[0] & 0xff) << 24) | ((msg[1] & 0xff) << 16) | ((msg[2] & 0xff) << 8) | (msg[3] & 0xff);
        String answer = switch (code) {
            case 0 -> null;
            case 3 -> password.reveal();
            case 5 -> "md5" + md5(md5(password.reveal() + user) + new String(msg, 4, 4, StandardCharsets.ISO_8859_1));
            default -> throw new IOException("PgBouncer console asks for authentication method " + code
                    + "; livemigrate speaks trust, password and md5 to it");
        };
        if (answer != null) {
            byte[] bytes = (answer + "\0").getBytes(StandardCharsets.UTF_8);
            out.writeByte('p');
            out.writeInt(bytes.length + 4);
            out.write(bytes);
            out.flush();
        }
    }

    /** Runs one console command; returns its rows (text columns), throws with PgBouncer's message on an error. */
    List<List<String>> execute(String command) throws IOException {
        byte[] sql = (command + "\0").getBytes(StandardCharsets.UTF_8);
        out.writeByte('Q');
        out.writeInt(sql.length + 4);
        out.write(sql);
        out.flush();
        List<List<String>> rows = new ArrayList<>();
        String error = null;
        while (true) {
            char type = (char) in.readByte();
            byte[] msg = new byte[in.readInt() - 4];
            in.readFully(msg);
            if (type == 'D') {
                rows.add(dataRow(msg));
            }
            else if (type == 'E') {
                error = errorMessage(msg);
            }
            else if (type == 'Z') {
                if (error != null) {
                    throw new IOException("PgBouncer " + command + ": " + error);
                }
                return rows;
            }
        }
    }

    private static List<String> dataRow(byte[] msg) {
        List<String> row = new ArrayList<>();
        int columns = ((msg[0] & 0xff) << 8) | (msg[1] & 0xff);
        int at = 2;
        for (int i = 0; i < columns; i++) {
            int len = ((msg[at] & 0xff) << 24) | ((msg[at + 1] & 0xff) << 16) | ((msg[at + 2] & 0xff) << 8) | (msg[at + 3] & 0xff);
            at += 4;
            row.add(len < 0 ? null : new String(msg, at, len, StandardCharsets.UTF_8));
            at += Math.max(len, 0);
        }
        return row;
    }

    private static String errorMessage(byte[] msg) {
        int at = 0;
        while (at < msg.length && msg[at] != 0) {
            int end = at + 1;
            while (msg[end] != 0) {
                end++;
            }
            if (msg[at] == 'M') {
                return new String(msg, at + 1, end - at - 1, StandardCharsets.UTF_8);
            }
            at = end + 1;
        }
        return "unknown error";
    }

    private static void cstring(DataOutputStream b, String s) throws IOException {
        b.write(s.getBytes(StandardCharsets.UTF_8));
        b.writeByte(0);
    }

    private static String md5(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            out.writeByte('X');
            out.writeInt(4);
            out.flush();
        }
        finally {
            socket.close();
        }
    }
}
