package dev.moryflow.credentials.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Small helpers for secrets held as {@code char[]}: conversion without a String, wiping, constant-time compare. */
final class Secrets {

    private Secrets() {
    }

    /** @return the UTF-8 bytes of the secret, in an array the caller must wipe; no String is made */
    static byte[] toUtf8(char[] secret) {
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(secret));
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        if (encoded.hasArray()) {
            Arrays.fill(encoded.array(), (byte) 0);
        }
        return bytes;
    }

    /** Compares in time that depends only on the lengths, not on where the arrays differ. */
    static boolean constantTimeEquals(char[] a, char[] b) {
        if (a == null || b == null) {
            return false;
        }
        int diff = a.length ^ b.length;
        int n = Math.max(a.length, b.length);
        for (int i = 0; i < n; i++) {
            char x = i < a.length ? a[i] : 0;
            char y = i < b.length ? b[i] : 0;
            diff |= x ^ y;
        }
        return diff == 0;
    }

    /** @return whether the array is null, empty or only white space */
    static boolean isBlank(char[] secret) {
        if (secret == null) {
            return true;
        }
        for (char c : secret) {
            if (!Character.isWhitespace(c)) {
                return false;
            }
        }
        return true;
    }

    /** @return a copy without leading and trailing white space */
    static char[] strip(char[] secret) {
        int from = 0;
        int to = secret.length;
        while (from < to && Character.isWhitespace(secret[from])) {
            from++;
        }
        while (to > from && Character.isWhitespace(secret[to - 1])) {
            to--;
        }
        return Arrays.copyOfRange(secret, from, to);
    }

    static void wipe(char[] secret) {
        if (secret != null) {
            Arrays.fill(secret, '\0');
        }
    }

    static void wipe(byte[] bytes) {
        if (bytes != null) {
            Arrays.fill(bytes, (byte) 0);
        }
    }
}
