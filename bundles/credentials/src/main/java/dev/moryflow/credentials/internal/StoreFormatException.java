package dev.moryflow.credentials.internal;

/**
 * A store or key file that cannot be used: damaged, truncated, of an unknown format, or locked with another key or
 * password. The message says which file, what is wrong and how to recover; it never contains a secret.
 */
final class StoreFormatException extends Exception {

    private static final long serialVersionUID = 1L;

    StoreFormatException(String message) {
        super(message);
    }

    StoreFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
