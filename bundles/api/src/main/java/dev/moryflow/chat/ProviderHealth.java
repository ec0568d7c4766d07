package dev.moryflow.chat;

import java.util.Objects;

/**
 * A provider's health as the hub reads it from its chats and tests (no traffic of its own): {@code healthy}, or
 * {@code degraded} after repeated failures a retry could fix (connection, timeout, 5xx, 429) within a window, until
 * a chat through it completes or a test passes. Routing tries a degraded provider's targets last. Immutable.
 *
 * @since 1.4
 */
public final class ProviderHealth {

    /** The value of a healthy provider. */
    public static final String HEALTHY = "healthy";
    /** The value of a degraded provider. */
    public static final String DEGRADED = "degraded";

    private final String providerId;
    private final boolean degraded;
    private final String reason;
    private final long sinceMillis;

    /**
     * @param providerId  the provider id
     * @param degraded    whether it is degraded
     * @param reason      why, in the user's words (problems and counts), or null
     * @param sinceMillis when it became so (epoch milliseconds), 0 when it always was
     */
    public ProviderHealth(String providerId, boolean degraded, String reason, long sinceMillis) {
        this.providerId = Objects.requireNonNull(providerId, "providerId");
        this.degraded = degraded;
        this.reason = reason;
        this.sinceMillis = sinceMillis;
    }

    /**
     * @param providerId the provider id
     * @return a provider nothing is known against
     */
    public static ProviderHealth healthy(String providerId) {
        return new ProviderHealth(providerId, false, null, 0);
    }

    /** @return the provider id */
    public String providerId() {
        return providerId;
    }

    /** @return whether it is degraded */
    public boolean degraded() {
        return degraded;
    }

    /** @return {@link #HEALTHY} or {@link #DEGRADED} */
    public String state() {
        return degraded ? DEGRADED : HEALTHY;
    }

    /** @return why, or null */
    public String reason() {
        return reason;
    }

    /** @return when it became so (epoch milliseconds), 0 when it always was */
    public long sinceMillis() {
        return sinceMillis;
    }

    /** @return the state and, when there is one, the reason: {@code degraded: 3 connection failures in 60 s} */
    public String describe() {
        return reason == null ? state() : state() + ": " + reason;
    }

    @Override
    public String toString() {
        return providerId + " " + describe();
    }
}
