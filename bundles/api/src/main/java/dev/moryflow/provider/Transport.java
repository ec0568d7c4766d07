package dev.moryflow.provider;

/**
 * How a provider's requests travel: encrypted, on this machine, or in clear across a network. A key must never
 * cross a network in clear unless the user said so ({@code allowInsecure = true}).
 */
public enum Transport {
    /** {@code https://}: encrypted. */
    HTTPS,
    /** A loopback address (localhost, 127.x, ::1): never leaves this machine. */
    LOCAL,
    /** Plain {@code http://} to another host, refused before anything is sent ({@code allowInsecure} not set). */
    INSECURE_REFUSED,
    /** Plain {@code http://} to another host, allowed by the user ({@code allowInsecure = true}); flagged. */
    INSECURE_ALLOWED;

    /** @return whether requests cross a network unencrypted, or would */
    public boolean insecure() {
        return this == INSECURE_REFUSED || this == INSECURE_ALLOWED;
    }

    /** @return a short label for listings: {@code https}, {@code local}, {@code http: refused}, {@code http: allowed} */
    public String label() {
        switch (this) {
            case HTTPS:
                return "https";
            case LOCAL:
                return "local";
            case INSECURE_REFUSED:
                return "http: refused";
            default:
                return "http: allowed (insecure)";
        }
    }
}
