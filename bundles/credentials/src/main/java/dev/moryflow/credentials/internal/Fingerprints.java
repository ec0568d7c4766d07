package dev.moryflow.credentials.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * Short, non-reversible fingerprints of secrets: {@code sha256:} and the first 8 hex digits of SHA-256 over a fixed
 * prefix and the secret's UTF-8 bytes. Enough to tell two keys apart in a listing; far too short to help guess one.
 */
final class Fingerprints {

    static final String PREFIX = "sha256:";
    private static final byte[] DOMAIN = "moryflow-credential-fingerprint:v1\0".getBytes(StandardCharsets.US_ASCII);
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final int HEX_DIGITS = 8;

    private Fingerprints() {
    }

    /**
     * @param secret the secret; not changed
     * @return its fingerprint, for example {@code sha256:1f2e3d4c}
     */
    static String of(char[] secret) {
        byte[] utf8 = Secrets.toUtf8(secret);
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(DOMAIN);
            sha256.update(utf8);
            byte[] digest = sha256.digest();
            StringBuilder out = new StringBuilder(PREFIX.length() + HEX_DIGITS).append(PREFIX);
            for (int i = 0; i < HEX_DIGITS / 2; i++) {
                out.append(HEX[(digest[i] >> 4) & 0xf]).append(HEX[digest[i] & 0xf]);
            }
            return out.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        } finally {
            Arrays.fill(utf8, (byte) 0);
        }
    }
}
