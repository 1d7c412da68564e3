package io.livemigrate.rehearse;

import io.livemigrate.engine.LoggedStatement;
import io.livemigrate.engine.StatementLogFormat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a {@link StatementLog} from its start, statement by statement, numbering them in log order (the ordinal a
 * restart skips to). Following, it waits at the end for lines the server appends and for new files in the log's
 * directory, until a stop is requested: from then on it returns null at once, wherever it is in the log (a follow that
 * lags behind a busy log would otherwise read on), and its waits end early. A line is read only once its terminator
 * is written.
 */
final class LogCursor implements AutoCloseable {

    private static final long POLL_MILLIS = 200;
    /** A followed log quiet this long has its open entry completed (a slow log's last statement has no successor). */
    private static final long QUIET_MILLIS = 500;

    private final StatementLog log;
    private final boolean follow;
    private final RehearsalStop stop;
    private final ArrayDeque<LoggedStatement> ready = new ArrayDeque<>();
    private final Set<Path> done = new HashSet<>();
    private Path file;
    private InputStream in;
    private StatementLogFormat.Parser parser;
    private final java.io.ByteArrayOutputStream partial = new java.io.ByteArrayOutputStream();
    private final byte[] buffer = new byte[64 * 1024];
    private int bufferPos;
    private int bufferLen;
    private long ordinal;
    private boolean flushedQuiet;

    LogCursor(StatementLog log, boolean follow, RehearsalStop stop) {
        this.log = log;
        this.follow = follow;
        this.stop = stop;
    }

    /** The next statement and its ordinal (1, 2, ...), or null at the end (following: once a stop is requested). */
    Numbered next() throws InterruptedException {
        while (true) {
            if (follow && stop.requested()) {
                return null;
            }
            if (!ready.isEmpty()) {
                return new Numbered(++ordinal, ready.poll());
            }
            if (!advance()) {
                return null;
            }
        }
    }

    record Numbered(long ordinal, LoggedStatement statement) {
    }

    /**
     * Reads at least one line or moves to the next file, or (following, at the end) waits a poll interval; false at the
     * end of a log not followed. Its waits end early on a stop, which {@link #next()} then sees.
     */
    private boolean advance() throws InterruptedException {
        try {
            if (in == null && !openNext()) {
                if (!follow) {
                    return false;
                }
                stop.sleep(POLL_MILLIS);
                return true;
            }
            String line = readLine();
            if (line != null) {
                flushedQuiet = false;
                parser.line(line, ready::add);
                return true;
            }
            // at the end of the current file
            List<Path> files = log.files();
            boolean newer = files.stream().anyMatch(f -> !done.contains(f) && !f.equals(file));
            if (!follow || newer) {
                if (partial.size() > 0) {
                    // the last line of a finished file needs no terminator
                    parser.line(partial.toString(StandardCharsets.UTF_8), ready::add);
                    partial.reset();
                }
                parser.end(ready::add);
                in.close();
                in = null;
                done.add(file);
                return !ready.isEmpty() || openNext() || follow;
            }
            if (stop.sleep(POLL_MILLIS)) {
                return true;
            }
            if (!flushedQuiet) {
                // still nothing new after a poll: the entry in progress is complete
                if (stop.sleep(Math.max(0, QUIET_MILLIS - POLL_MILLIS))) {
                    return true;
                }
                parser.end(ready::add);
                flushedQuiet = true;
            }
            return true;
        }
        catch (IOException e) {
            throw new UncheckedIOException("cannot read the statement log " + file + ": " + e.getMessage(), e);
        }
    }

    private boolean openNext() throws IOException {
        for (Path f : log.files()) {
            if (!done.contains(f)) {
                file = f;
                in = Files.newInputStream(f);
                parser = log.format().parser();
                bufferPos = 0;
                bufferLen = 0;
                partial.reset();
                return true;
            }
        }
        return false;
    }

    /** The next complete line, or null when the file holds no complete line beyond what was read. */
    private String readLine() throws IOException {
        while (true) {
            for (int i = bufferPos; i < bufferLen; i++) {
                if (buffer[i] == '\n') {
                    partial.write(buffer, bufferPos, i - bufferPos);
                    bufferPos = i + 1;
                    byte[] bytes = partial.toByteArray();
                    partial.reset();
                    int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                    return new String(bytes, 0, len, StandardCharsets.UTF_8);
                }
            }
            partial.write(buffer, bufferPos, bufferLen - bufferPos);
            bufferPos = 0;
            bufferLen = in.read(buffer);
            if (bufferLen <= 0) {
                bufferLen = 0;
                return null;
            }
        }
    }

    @Override
    public void close() throws IOException {
        if (in != null) {
            in.close();
        }
    }
}
