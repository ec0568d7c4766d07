package dev.moryflow.itests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;

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
