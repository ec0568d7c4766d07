package dev.moryflow.provider;

import java.util.Objects;

/**
 * What a provider is, for listings and consoles: never a key. Immutable.
 */
public final class ProviderInfo {

    private final String id;
    private final String name;
    private final String protocol;
    private final String baseUrl;
    private final String preset;
    private final KeyState keyState;
    private final Transport transport;
    private final String keyHeldFrom;

    /**
     * @param id       the provider id
     * @param name     the display name
     * @param protocol the wire protocol, see {@link ProviderService#PROVIDER_PROTOCOL}
     * @param baseUrl  the base URL, without credentials or query
     * @param preset   the preset id it was made from, or null
     * @param keyState whether the provider has the key it needs
     */
    public ProviderInfo(String id, String name, String protocol, String baseUrl, String preset, KeyState keyState) {
        this(id, name, protocol, baseUrl, preset, keyState, Transport.HTTPS);
    }

    /**
     * @param id        the provider id
     * @param name      the display name
     * @param protocol  the wire protocol, see {@link ProviderService#PROVIDER_PROTOCOL}
     * @param baseUrl   the base URL, without credentials or query
     * @param preset    the preset id it was made from, or null
     * @param keyState  whether the provider has the key it needs
     * @param transport how its requests travel
     * @since 1.1
     */
    public ProviderInfo(String id, String name, String protocol, String baseUrl, String preset, KeyState keyState,
            Transport transport) {
        this(id, name, protocol, baseUrl, preset, keyState, transport, null);
    }

    /**
     * @param id          the provider id
     * @param name        the display name
     * @param protocol    the wire protocol, see {@link ProviderService#PROVIDER_PROTOCOL}
     * @param baseUrl     the base URL, without credentials or query
     * @param preset      the preset id it was made from, or null
     * @param keyState    whether the provider has the key it needs
     * @param transport   how its requests travel
     * @param keyHeldFrom with {@link KeyState#HELD}: the origin the key was stored for; else null
     * @since 2.0
     */
    public ProviderInfo(String id, String name, String protocol, String baseUrl, String preset, KeyState keyState,
            Transport transport, String keyHeldFrom) {
        this.keyHeldFrom = keyState == KeyState.HELD ? keyHeldFrom : null;
        this.transport = Objects.requireNonNull(transport, "transport");
        this.id = Objects.requireNonNull(id, "id");
        this.name = name == null || name.isBlank() ? id : name;
        this.protocol = Objects.requireNonNull(protocol, "protocol");
        this.baseUrl = baseUrl;
        this.preset = preset;
        this.keyState = Objects.requireNonNull(keyState, "keyState");
    }

    /** @return the provider id */
    public String id() {
        return id;
    }

    /** @return the display name */
    public String name() {
        return name;
    }

    /** @return the protocol */
    public String protocol() {
        return protocol;
    }

    /** @return the base URL */
    public String baseUrl() {
        return baseUrl;
    }

    /** @return the preset id, or null */
    public String preset() {
        return preset;
    }

    /** @return the key state */
    public KeyState keyState() {
        return keyState;
    }

    /**
     * @return how the provider's requests travel; {@link Transport#INSECURE_REFUSED} means it sends nothing
     * @since 1.1
     */
    public Transport transport() {
        return transport;
    }

    /**
     * @return with {@link KeyState#HELD}, the origin ({@code https://host[:port]}) the key was stored for, which
     *         the base URL has left; else null
     * @since 2.0
     */
    public String keyHeldFrom() {
        return keyHeldFrom;
    }

    /**
     * @return the status of the key in the user's words: {@code key held: base URL moved from https://a to
     *         https://b}, {@code needs key}, {@code no key needed} or {@code key stored}
     * @since 2.0
     */
    public String keyStatus() {
        switch (keyState) {
            case HELD:
                return "key held: base URL moved from " + keyHeldFrom + " to "
                        + dev.moryflow.credentials.Origins.of(baseUrl);
            case MISSING:
                return "needs key";
            case NOT_REQUIRED:
                return "no key needed";
            default:
                return "key stored";
        }
    }

    /**
     * @return why the provider's models cannot answer now, in the user's words with the fix ({@code refused: plain
     *         http:// to another machine …}, {@code needs key}, {@code key held: …}), or null when they can
     * @since 2.0
     */
    public String unavailableReason() {
        if (transport == Transport.INSECURE_REFUSED) {
            return "refused: plain http:// to another machine (use https://, or allowInsecure = true)";
        }
        if (keyState == KeyState.MISSING) {
            return "needs key: store one for provider " + id + " (moryflow:key-set " + id + ", PUT /api/providers/"
                    + id + "/key or the Web Console)";
        }
        if (keyState == KeyState.HELD) {
            return keyStatus() + " (moryflow:key-confirm " + id + ", or store the key again)";
        }
        return null;
    }

    @Override
    public String toString() {
        return "ProviderInfo[" + id + ", " + protocol + ", " + baseUrl + ", key " + keyState + ", " + transport + "]";
    }
}
