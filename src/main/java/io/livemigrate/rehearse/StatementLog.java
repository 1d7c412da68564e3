package io.livemigrate.rehearse;

import io.livemigrate.engine.Engine;
import io.livemigrate.engine.EngineKind;
import io.livemigrate.engine.Engines;
import io.livemigrate.engine.StatementLogFormat;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The statement log an operator points rehearse at: one file, or a directory whose files of one layout are read in
 * name order (PostgreSQL and MySQL name rotated logs so that name order is time order). The layout is recognised
 * from the first lines; a log this source's engine does not write is refused with what it looks like instead.
 */
public final class StatementLog {

    private static final int HEAD_LINES = 20;

    private final Path path;
    private final StatementLogFormat format;

    private StatementLog(Path path, StatementLogFormat format) {
        this.path = path;
        this.format = format;
    }

    /** Checks {@code path} and recognises its layout; a {@link RehearsalInputException} says what is wrong. */
    public static StatementLog open(Path path, Engine engine) {
        if (!Files.exists(path)) {
            throw new RehearsalInputException("--log " + path + ": no such file or directory");
        }
        if (!Files.isReadable(path)) {
            throw new RehearsalInputException("--log " + path + ": not readable");
        }
        List<Path> candidates = Files.isDirectory(path) ? listFiles(path) : List.of(path);
        for (Path file : candidates) {
            List<String> head = head(file);
            if (head.isEmpty()) {
                continue;
            }
            for (StatementLogFormat f : engine.rehearsal().logFormats()) {
                if (f.recognizes(head)) {
                    return new StatementLog(path, f);
                }
            }
        }
        String expected = engine.kind().displayName() + " statement log ("
                + engine.rehearsal().logFormats().stream().map(StatementLogFormat::name).reduce((a, b) -> a + ", " + b)
                .orElse("") + ")";
        for (Path file : candidates) {
            List<String> head = head(file);
            for (EngineKind other : EngineKind.values()) {
                if (other == engine.kind()) {
                    continue;
                }
                for (StatementLogFormat f : Engines.of(other).rehearsal().logFormats()) {
                    if (!head.isEmpty() && f.recognizes(head)) {
                        throw new RehearsalInputException("--log " + file + " is a " + f.name() + ", but the plan's "
                                + "source is " + engine.kind().displayName() + ": give its " + expected);
                    }
                }
            }
        }
        if (candidates.stream().allMatch(f -> head(f).isEmpty())) {
            throw new RehearsalInputException("--log " + path + " is empty: nothing to recognise; turn on "
                    + engine.rehearsal().loggingSettings() + " and let the application run first");
        }
        throw new RehearsalInputException("--log " + path + " is not a " + expected + "; the server writes one with "
                + engine.rehearsal().loggingSettings());
    }

    public StatementLogFormat format() {
        return format;
    }

    public Path path() {
        return path;
    }

    /** The files to read now, in order: the file itself, or the directory's files in this log's layout. */
    List<Path> files() {
        if (!Files.isDirectory(path)) {
            return List.of(path);
        }
        List<Path> files = new ArrayList<>();
        for (Path f : listFiles(path)) {
            List<String> head = head(f);
            if (!head.isEmpty() && format.recognizes(head)) {
                files.add(f);
            }
        }
        return files;
    }

    private static List<Path> listFiles(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        }
        catch (IOException e) {
            throw new RehearsalInputException("--log " + dir + ": cannot list the directory: " + e.getMessage());
        }
    }

    private static List<String> head(Path file) {
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while (lines.size() < HEAD_LINES && (line = r.readLine()) != null) {
                lines.add(line);
            }
        }
        catch (IOException | java.io.UncheckedIOException e) {
            // binary or unreadable: recognised as nothing
            return List.of();
        }
        return lines;
    }
}
