package dev.moryflow.itests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.NoSuchFileException;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/** Looks for a secret's bytes in files, in the encodings a careless program would write it in. */
final class SecretScan {

    private SecretScan() {
    }

    /** @return the files under root holding the secret as UTF-8, UTF-16 (either order) or Base64 */
    static List<Path> filesContaining(Path root, String secret) {
        List<byte[]> needles = new ArrayList<>();
        for (Charset cs : new Charset[] { StandardCharsets.UTF_8, StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE }) {
            needles.add(secret.getBytes(cs));
        }
        needles.add(Base64.getEncoder().withoutPadding().encodeToString(secret.getBytes(StandardCharsets.UTF_8))
                .substring(0, secret.length()).getBytes(StandardCharsets.US_ASCII));
        List<Path> found = new ArrayList<>();
        if (!Files.exists(root)) {
            return found;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.filter(Files::isRegularFile).forEach(f -> {
                byte[] data = read(f);
                for (byte[] n : needles) {
                    if (indexOf(data, n) >= 0) {
                        found.add(f);
                        return;
                    }
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    /** Shortest run of a secret's characters that counts as a leak. */
    static final int RUN = 8;

    /**
     * Finds any run of {@value #RUN} consecutive characters of the secrets it was given, as UTF-8, as UTF-16 (either
     * byte order) and as Base64 (standard and URL-safe, at each of the three byte alignments), in bytes or text.
     * Every needle is indexed by its first 8 bytes, so a scan reads the data once.
     */
    static final class Matcher {
        private final Map<Long, List<Needle>> byPrefix = new HashMap<>();
        private final long[] bits = new long[1 << 14];

        private static final class Needle {
            final String name;
            final byte[] bytes;

            Needle(String name, byte[] bytes) {
                this.name = name;
                this.bytes = bytes;
            }
        }

        /** Adds the forms of one secret, reported under its name. */
        Matcher secret(String name, String secret) {
            if (secret.length() < RUN) {
                throw new IllegalArgumentException(name + " is shorter than " + RUN + " characters");
            }
            for (int i = 0; i + RUN <= secret.length(); i++) {
                String run = secret.substring(i, i + RUN);
                add(name + " as UTF-8", run.getBytes(StandardCharsets.UTF_8));
                add(name + " as UTF-16LE", run.getBytes(StandardCharsets.UTF_16LE));
                add(name + " as UTF-16BE", run.getBytes(StandardCharsets.UTF_16BE));
            }
            byte[] raw = secret.getBytes(StandardCharsets.UTF_8);
            for (int align = 0; align < 3; align++) {
                byte[] shifted = new byte[align + raw.length];
                System.arraycopy(raw, 0, shifted, align, raw.length);
                int whole = shifted.length / 3 * 3;
                for (Base64.Encoder enc : new Base64.Encoder[] { Base64.getEncoder(), Base64.getUrlEncoder() }) {
                    // only the groups of 3 bytes that are all the secret's: the others depend on their neighbours
                    String b64 = enc.withoutPadding().encodeToString(Arrays.copyOf(shifted, whole))
                            .substring(align == 0 ? 0 : 4);
                    for (int i = 0; i + RUN <= b64.length(); i++) {
                        add(name + " as Base64", b64.substring(i, i + RUN).getBytes(StandardCharsets.US_ASCII));
                    }
                }
            }
            return this;
        }

        private void add(String name, byte[] needle) {
            long prefix = prefix(needle, 0);
            byPrefix.computeIfAbsent(prefix, k -> new ArrayList<>()).add(new Needle(name, needle));
            int h = slot(prefix);
            bits[h >>> 6] |= 1L << h;
        }

        /** @return the names and forms of the secrets found in the data, in the order found, each once */
        Set<String> find(byte[] data) {
            Set<String> found = new LinkedHashSet<>();
            long window = 0;
            for (int i = 0; i < data.length; i++) {
                window = (window << 8) | (data[i] & 0xff);
                int start = i - 7;
                if (start < 0) {
                    continue;
                }
                int h = slot(window);
                if ((bits[h >>> 6] & (1L << h)) == 0) {
                    continue;
                }
                List<Needle> candidates = byPrefix.get(window);
                if (candidates == null) {
                    continue;
                }
                for (Needle n : candidates) {
                    if (start + n.bytes.length <= data.length && regionEquals(data, start, n.bytes)) {
                        found.add(n.name);
                    }
                }
            }
            return found;
        }

        /** @return the secrets found in the text (as UTF-8, the form text reaches a client, a file or a log in) */
        Set<String> find(String text) {
            return find(text.getBytes(StandardCharsets.UTF_8));
        }

        private static long prefix(byte[] b, int from) {
            long l = 0;
            for (int i = 0; i < 8; i++) {
                l = (l << 8) | (b[from + i] & 0xff);
            }
            return l;
        }

        private static int slot(long l) {
            long x = l * 0x9E3779B97F4A7C15L;
            return (int) (x >>> 44);
        }

        private static boolean regionEquals(byte[] data, int start, byte[] needle) {
            for (int j = 8; j < needle.length; j++) {
                if (data[start + j] != needle[j]) {
                    return false;
                }
            }
            return true;
        }
    }

    /** What a scan of a folder saw. */
    static final class TreeScan {
        /** Every regular file read, by path. */
        final Set<String> files = new TreeSet<>();
        /** Files that were decompressed ({@code .gz}) or unpacked ({@code .jar}, {@code .zip}) before the search. */
        final Set<String> unpacked = new TreeSet<>();
        /** Files that went away between listing and reading (a rename or rotation while the hub runs). */
        final Set<String> vanished = new TreeSet<>();
        /** "file: secret as form" for every hit. */
        final List<String> hits = new ArrayList<>();
    }

    /**
     * Reads every regular file under the root (decompressing {@code .gz}, unpacking {@code .jar}/{@code .zip}
     * entries) and searches it. A file or folder that exists but cannot be read fails the scan: a leak scan that
     * skips what it cannot read proves nothing about it.
     *
     * @throws AssertionError naming the file that could not be read, and why
     */
    static TreeScan scanTree(Path root, Matcher matcher) {
        TreeScan scan = new TreeScan();
        if (!Files.exists(root)) {
            return scan;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<Path>() {
                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                    if (!attrs.isRegularFile()) {
                        return FileVisitResult.CONTINUE;
                    }
                    try {
                        for (String hit : matcher.find(Files.readAllBytes(f))) {
                            scan.hits.add(f + ": " + hit);
                        }
                        String name = f.getFileName().toString().toLowerCase(Locale.ROOT);
                        if (name.endsWith(".gz")) {
                            scan.unpacked.add(f.toString());
                            for (String hit : matcher.find(gunzipWhileRolling(f))) {
                                scan.hits.add(f + " (decompressed): " + hit);
                            }
                        } else if (name.endsWith(".jar") || name.endsWith(".zip")) {
                            scan.unpacked.add(f.toString());
                            for (String hit : unzipAndFind(f, matcher)) {
                                scan.hits.add(f + "!" + hit);
                            }
                        }
                        scan.files.add(f.toString());
                    } catch (NoSuchFileException gone) {
                        scan.vanished.add(f.toString());
                    } catch (IOException | RuntimeException e) {
                        throw new AssertionError("the leak scan could not read " + f + " (" + e
                                + "): a file it cannot read may hold a secret; make it readable or remove it", e);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) {
                    if (e instanceof NoSuchFileException) {
                        scan.vanished.add(f.toString());
                        return FileVisitResult.CONTINUE;
                    }
                    throw new AssertionError("the leak scan could not open " + f + " (" + e + ")", e);
                }
            });
        } catch (IOException e) {
            throw new AssertionError("the leak scan could not walk " + root + " (" + e + ")", e);
        }
        return scan;
    }

    /** @return the decompressed bytes of a gzip file */
    static byte[] gunzip(Path f) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(f))) {
            return in.readAllBytes();
        }
    }

    /**
     * A log appender compresses a rolled file after the roll: while {@code x.gz} is being written, {@code x} is still
     * there with the same content, and is read instead; once {@code x} is gone, {@code x.gz} is complete.
     */
    private static byte[] gunzipWhileRolling(Path f) throws IOException {
        try {
            return gunzip(f);
        } catch (IOException e) {
            String name = f.getFileName().toString();
            Path source = f.resolveSibling(name.substring(0, name.length() - 3));
            if (!Files.exists(source)) {
                throw e;
            }
            try {
                return Files.readAllBytes(source);
            } catch (NoSuchFileException done) {
                return gunzip(f);
            }
        }
    }

    private static List<String> unzipAndFind(Path f, Matcher matcher) throws IOException {
        List<String> hits = new ArrayList<>();
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(f))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                for (String hit : matcher.find(zip.readAllBytes())) {
                    hits.add(e.getName() + ": " + hit);
                }
            }
        }
        return hits;
    }

    /** @return how many regular files lie under root */
    static long countFiles(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).count();
        }
    }

    private static byte[] read(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            return new byte[0];
        }
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
