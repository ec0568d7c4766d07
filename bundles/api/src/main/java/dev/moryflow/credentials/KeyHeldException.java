package dev.moryflow.credentials;

/**
 * A provider asked for its key for another origin than the one the key was stored for: its base URL moved. Nothing
 * may be sent until the user stores the key again or confirms the move ({@link CredentialStore#confirmMove}). The
 * message names both origins and the fix, never the key.
 *
 * @since 2.0
 */
public class KeyHeldException extends CredentialAccessException {

    private static final long serialVersionUID = 1L;
    private final String from;
    private final String to;

    /**
     * @param providerId the provider id
     * @param from       the origin the key was stored for
     * @param to         the origin it was asked for
     */
    public KeyHeldException(String providerId, String from, String to) {
        super("the key of provider " + providerId + " is held: its base URL moved from " + from + " to " + to
                + ", and a key is only sent to the address it was stored for. If " + to + " is right, store the key "
                + "again or confirm the move (moryflow:key-confirm " + providerId + " in the shell, POST /api/providers/"
                + providerId + "/key/confirm); otherwise set the base URL back to " + from);
        this.from = from;
        this.to = to;
    }

    /** @return the origin the key was stored for */
    public String from() {
        return from;
    }

    /** @return the origin the provider now points at */
    public String to() {
        return to;
    }
}
