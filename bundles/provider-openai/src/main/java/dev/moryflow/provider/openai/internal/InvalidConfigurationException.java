package dev.moryflow.provider.openai.internal;

/**
 * A provider configuration that cannot be used. The message names the field, what is wrong and the fix, and never
 * repeats a value that could be a secret.
 */
final class InvalidConfigurationException extends Exception {

    private static final long serialVersionUID = 1L;

    private final String field;

    InvalidConfigurationException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** @return the configuration property at fault */
    String field() {
        return field;
    }
}
