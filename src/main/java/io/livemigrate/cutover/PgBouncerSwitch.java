package io.livemigrate.cutover;

import io.livemigrate.plan.CutoverOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code switch: pgbouncer}: rewrites the host, port and dbname of the database's entry in PgBouncer's
 * {@code [databases]} section (other settings on the line stay), then {@code RELOAD}. Paused clients resume onto
 * the new server. The file is replaced atomically, so PgBouncer never reads half of it.
 */
final class PgBouncerSwitch implements TrafficSwitch {

    private final CutoverOptions.PgBouncer pgbouncer;
    private final ServerAddress to;
    private final int timeoutMillis;

    PgBouncerSwitch(CutoverOptions.PgBouncer pgbouncer, ServerAddress to, int timeoutMillis) {
        this.pgbouncer = pgbouncer;
        this.to = to;
        this.timeoutMillis = timeoutMillis;
    }

    /** The entry line as it is now. */
    @Override
    public String prepare() throws IOException {
        List<String> lines = Files.readAllLines(pgbouncer.configFile());
        return lines.get(entryIndex(lines));
    }

    @Override
    public void apply() throws IOException {
        writeEntry(line -> {
            String result = setting(line, "host", to.host());
            result = setting(result, "port", String.valueOf(to.port()));
            return setting(result, "dbname", to.database());
        });
    }

    @Override
    public void undo(String restore) throws IOException {
        writeEntry(line -> restore);
    }

    private void writeEntry(java.util.function.UnaryOperator<String> change) throws IOException {
        Path file = pgbouncer.configFile();
        List<String> lines = new ArrayList<>(Files.readAllLines(file));
        int index = entryIndex(lines);
        lines.set(index, change.apply(lines.get(index)));
        Path temp = file.resolveSibling(file.getFileName() + ".livemigrate.tmp");
        Files.write(temp, lines);
        try {
            Files.setPosixFilePermissions(temp, Files.getPosixFilePermissions(file));
        }
        catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        try (PgBouncerConsole console = new PgBouncerConsole(pgbouncer.admin(), pgbouncer.adminUser(),
                pgbouncer.adminPassword(), timeoutMillis)) {
            console.execute("RELOAD");
        }
    }

    private int entryIndex(List<String> lines) {
        boolean inDatabases = false;
        Pattern entry = Pattern.compile("\\s*\"?" + Pattern.quote(pgbouncer.database()) + "\"?\\s*=.*");
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (line.startsWith("[")) {
                inDatabases = line.equalsIgnoreCase("[databases]");
            }
            else if (inDatabases && entry.matcher(lines.get(i)).matches()) {
                return i;
            }
        }
        throw new IllegalStateException(pgbouncer.configFile() + " has no [databases] entry for "
                + pgbouncer.database() + "; add one, or name the right entry in cutover.pgbouncer.database");
    }

    /** Sets {@code key=value} in a connection string, replacing the key if present, appending it if not. */
    static String setting(String line, String key, String value) {
        Matcher m = Pattern.compile("(?<=[=\\s])" + key + "\\s*=\\s*\\S+").matcher(line);
        if (m.find()) {
            return line.substring(0, m.start()) + key + "=" + value + line.substring(m.end());
        }
        return line + " " + key + "=" + value;
    }

    @Override
    public String describe() {
        return "PgBouncer entry " + pgbouncer.database() + " -> " + to.host() + ":" + to.port() + "/" + to.database();
    }
}
