package dev.moryflow.webconsole.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * A password in the Felix Web Console's own hashed format (its {@code Password} class, 5.0.x), which the console
 * reads from the {@code password} property of its configuration:
 * {@code {sha-256}<salt>-<iterations>-<hash>}, where {@code salt} is 8 random bytes in lower-case hex,
 * {@code hash} is SHA-256 applied {@code iterations} times (1000) starting from the UTF-8 bytes of
 * {@code salt + password}, in standard Base64 with padding. The algorithm name is written in lower case: the
 * console compares the whole string it recomputes, lower-cased name included.
 */
final class ConsolePasswordHash {

    static final String ALGORITHM = "sha-256";
    static final int ITERATIONS = 1000;
    static final int SALT_BYTES = 8;

    private ConsolePasswordHash() {
    }

    /** @return the password in the console's format, with a fresh salt */
    static String hash(char[] password, SecureRandom random) {
        byte[] salt = new byte[SALT_BYTES];
        random.nextBytes(salt);
        return hash(password, hex(salt), ITERATIONS);
    }

    /** The console's format for a given salt and iteration count (the salt as it appears in the string). */
    static String hash(char[] password, String salt, int iterations) {
        char[] input = new char[salt.length() + password.length];
        salt.getChars(0, salt.length(), input, 0);
        System.arraycopy(password, 0, input, salt.length(), password.length);
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(input));
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        Arrays.fill(input, '\0');
        if (encoded.hasArray()) {
            Arrays.fill(encoded.array(), (byte) 0);
        }
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (int i = 0; i < iterations; i++) {
                md.reset();
                byte[] next = md.digest(bytes);
                Arrays.fill(bytes, (byte) 0);
                bytes = next;
            }
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-256, which the Web Console needs", e);
        }
        return "{" + ALGORITHM + "}" + salt + "-" + iterations + "-" + Base64.getEncoder().encodeToString(bytes);
    }

    /** @return whether the text is a hashed password (the console's test: it starts with {@code {name}}) */
    static boolean isHashed(String text) {
        return text.startsWith("{") && text.indexOf('}') > 0;
    }

    private static String hex(byte[] bytes) {
        StringBuilder b = new StringBuilder(bytes.length * 2);
        for (byte x : bytes) {
            b.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return b.toString();
    }
}
