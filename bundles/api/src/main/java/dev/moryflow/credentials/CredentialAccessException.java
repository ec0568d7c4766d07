package dev.moryflow.credentials;

/**
 * A bundle asked for a secret it may not read. The message names the credential and the bundle, never the secret.
 */
public class CredentialAccessException extends SecurityException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what was refused and why
     */
    public CredentialAccessException(String message) {
        super(message);
    }
}
