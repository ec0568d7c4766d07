package dev.moryflow.credentials.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * File handling for the store directory: owner-only permissions and atomic replacement (temporary file in the same
 * directory, fsync, atomic rename, fsync of the directory). A crash leaves either the old or the new file, plus at
 * worst a temporary file that {@link #removeLeftovers} deletes on the next start.
 */
final class SecureFiles {

    static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> OWNER_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    static final String TEMP_SUFFIX = ".tmp";

    private final Logger logger = LoggerFactory.getLogger(SecureFiles.class);
    private final Path directory;
    private final boolean posix;

    SecureFiles(Path directory) {
        this.directory = directory;
        Path existing = directory.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        this.posix = existing != null
                && existing.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    boolean isPosix() {
        return posix;
    }

    /** Creates the directory (rwx------) when missing, and tightens its permissions when it is wider. */
    void prepareDirectory() throws IOException {
        if (!posix) {
            Files.createDirectories(directory);
            logger.warn("The file system of {} has no POSIX permissions: the credential files cannot be made "
                    + "owner-only here. Protect the folder with the operating system's access control.",
                    directory.toAbsolutePath());
            return;
        }
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(directory.toAbsolutePath().getParent());
            Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(OWNER_DIRECTORY));
        }
        restrict(directory, OWNER_DIRECTORY);
    }

    /** Sets owner-only permissions on an existing file or directory, with a warning when they were wider. */
    void restrict(Path path, Set<PosixFilePermission> wanted) {
        if (!posix) {
            return;
        }
        try {
            Set<PosixFilePermission> actual = Files.getPosixFilePermissions(path);
            if (!actual.equals(wanted)) {
                Files.setPosixFilePermissions(path, wanted);
                if (!wanted.containsAll(actual)) {
                    logger.warn("{} was accessible to others ({}); its permissions are now {}",
                            path.toAbsolutePath(), PosixFilePermissions.toString(actual),
                            PosixFilePermissions.toString(wanted));
                }
            }
        } catch (IOException | UnsupportedOperationException e) {
            logger.warn("Could not make {} owner-only ({}): protect it by hand (chmod {})", path.toAbsolutePath(),
                    e.toString(), Files.isDirectory(path) ? "700" : "600");
        }
    }

    /**
     * Replaces {@code fileName} in the directory with {@code content}, atomically and durably.
     *
     * @throws IOException when it could not be written; the old file is then unchanged
     */
    void writeAtomically(String fileName, byte[] content) throws IOException {
        Path target = directory.resolve(fileName);
        FileAttribute<?>[] attributes = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_FILE)}
                : new FileAttribute<?>[0];
        Path temp = Files.createTempFile(directory, "." + fileName + ".", TEMP_SUFFIX, attributes);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory();
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Deletes temporary files an interrupted write left behind: the committed files are the renamed ones. */
    void removeLeftovers(String... fileNames) {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                for (String fileName : fileNames) {
                    if (name.startsWith("." + fileName + ".") && name.endsWith(TEMP_SUFFIX)) {
                        Files.deleteIfExists(entry);
                        logger.info("Removed {}, left over from an interrupted write; {} is unaffected", entry,
                                fileName);
                    }
                }
            }
        } catch (IOException e) {
            logger.warn("Could not look for left-over temporary files in {}: {}", directory, e.toString());
        }
    }

    private void syncDirectory() {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not possible on every platform (Windows); the rename itself is still atomic.
            logger.debug("Could not fsync directory {}: {}", directory, e.toString());
        }
    }
}
