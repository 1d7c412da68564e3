package io.livemigrate.rehearse;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * What the manager saw of the statement log when it split the rehearsal into partitions: each file (its name within
 * the log), its size, and a hash of its first bytes. A partition that runs in another process (a remote worker, or
 * a resumed run) opens the log at the same path and checks it is the same log: every file still there, at least as
 * long (a server only appends), with the same first bytes. Another log at that path (a stale copy, another server's,
 * a log rotated away) is refused with what differs, never replayed in its place: its statements would be compared
 * and counted as this rehearsal's.
 */
record LogIdentity(List<Entry> files) {

    /** Bytes of each file hashed: enough to tell logs apart, cheap for a directory of rotated logs. */
    static final int HEAD_BYTES = 64 * 1024;

    /** One file: {@code name} relative to the log's path ("" for a log that is one file). */
    record Entry(String name, long size, int hashedBytes, String hash) {
    }

    static LogIdentity of(StatementLog log) {
        List<Entry> entries = new ArrayList<>();
        for (Path file : log.files()) {
            long size = size(file);
            int hashed = (int) Math.min(size, HEAD_BYTES);
            entries.add(new Entry(name(log, file), size, hashed, headHash(file, hashed)));
        }
        return new LogIdentity(List.copyOf(entries));
    }

    /** As stored in a partition's execution context: {@code name/size/hashedBytes/hash} per line. */
    String encode() {
        StringBuilder s = new StringBuilder();
        for (Entry e : files) {
            s.append(e.name()).append('/').append(e.size()).append('/').append(e.hashedBytes()).append('/')
                    .append(e.hash()).append('\n');
        }
        return s.toString();
    }

    static LogIdentity decode(String encoded) {
        List<Entry> entries = new ArrayList<>();
        for (String line : encoded.split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            // the name may hold '/' only in theory (a directory's files are listed flat); split from the end
            int h = line.lastIndexOf('/');
            int b = line.lastIndexOf('/', h - 1);
            int z = line.lastIndexOf('/', b - 1);
            entries.add(new Entry(line.substring(0, z), Long.parseLong(line.substring(z + 1, b)),
                    Integer.parseInt(line.substring(b + 1, h)), line.substring(h + 1)));
        }
        return new LogIdentity(List.copyOf(entries));
    }

    /**
     * Checks that {@code here} (the log as this process sees it) is the log this identity was taken of.
     *
     * @param host this process's host, named in the message (the operator fixes the log there)
     * @throws RehearsalInputException naming host, path and file, what differs and what to do
     */
    void check(StatementLog here, String host) {
        for (Entry expected : files) {
            Path file = expected.name().isEmpty() ? here.path() : here.path().resolve(expected.name());
            String problem;
            if (!Files.isRegularFile(file)) {
                problem = "is missing";
            }
            else if (size(file) < expected.size()) {
                problem = "holds " + size(file) + " bytes, fewer than the " + expected.size() + " the manager read";
            }
            else if (!headHash(file, expected.hashedBytes()).equals(expected.hash())) {
                problem = "starts with other bytes than the manager's (another log, or a copy of another one)";
            }
            else {
                continue;
            }
            throw new RehearsalInputException("the statement log on host " + host + " differs from the one the "
                    + "rehearsal started with: " + file + " " + problem + ". Every process that runs partitions "
                    + "(the command and each 'livemigrate worker') must read the same log at the same path: put it on "
                    + "a shared mount, or copy it there whole, then run the command again");
        }
    }

    /**
     * Opens the log at {@code path} in a process that runs partitions and checks it against the manager's identity
     * ({@link #encode()}); any problem names {@code host}.
     */
    static StatementLog openSame(Path path, io.livemigrate.engine.Engine engine, String identity, String host) {
        StatementLog log;
        try {
            log = StatementLog.open(path, engine);
        }
        catch (RehearsalInputException e) {
            throw new RehearsalInputException("on host " + host + ": " + e.getMessage() + ". Every process that runs "
                    + "partitions (the command and each 'livemigrate worker') must read the same log at the same "
                    + "path: put it on a shared mount, or copy it there whole, then run the command again");
        }
        if (identity != null) {
            decode(identity).check(log, host);
        }
        return log;
    }

    private static String name(StatementLog log, Path file) {
        return file.equals(log.path()) ? "" : log.path().relativize(file).toString();
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        }
        catch (IOException e) {
            throw new RehearsalInputException("--log " + file + ": cannot read its size: " + e.getMessage());
        }
    }

    private static String headHash(Path file, int bytes) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(in.readNBytes(bytes));
            return HexFormat.of().formatHex(sha.digest(), 0, 16);
        }
        catch (IOException e) {
            throw new RehearsalInputException("--log " + file + ": cannot read it: " + e.getMessage());
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
