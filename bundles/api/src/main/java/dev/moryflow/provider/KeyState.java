package dev.moryflow.provider;

/** Whether a provider has the API key it needs. */
public enum KeyState {
    /** A key is stored or comes from the configured environment variable. */
    PRESENT,
    /** The provider needs a key and has none: it is registered but reports "needs key". */
    MISSING,
    /** The provider works without a key (local servers such as LM Studio or vLLM). */
    NOT_REQUIRED,
    /**
     * A key is stored, but for another origin: the provider's base URL moved to another scheme, host or port since.
     * Nothing is sent until the user stores the key again or confirms the move. See
     * {@link ProviderInfo#keyHeldFrom()}.
     *
     * @since 2.0
     */
    HELD
}
