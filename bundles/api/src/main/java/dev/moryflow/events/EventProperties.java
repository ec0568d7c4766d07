package dev.moryflow.events;

/**
 * Names of the properties of the events in {@link Topics}.
 */
public final class EventProperties {

    /** String: the provider id. */
    public static final String PROVIDER_ID = "provider.id";
    /** String: the provider's display name. */
    public static final String PROVIDER_NAME = "provider.name";
    /** String: the provider's protocol. */
    public static final String PROVIDER_PROTOCOL = "provider.protocol";
    /** String[]: the provider's model ids. */
    public static final String PROVIDER_MODELS = "provider.models";
    /** String: the preset id. */
    public static final String PROVIDER_PRESET = "provider.preset";
    /** String: the model as the client asked for it. */
    public static final String MODEL = "model";
    /** String[]: model ids. */
    public static final String MODELS = "models";
    /** String: the provider's own model id a chat was sent to. */
    public static final String PROVIDER_MODEL = "provider.model";
    /** Long: how long it took, in milliseconds. */
    public static final String DURATION_MS = "duration.ms";
    /** Boolean: whether the chat was streamed. */
    public static final String STREAM = "stream";
    /** Integer: prompt tokens. */
    public static final String TOKENS_PROMPT = "tokens.prompt";
    /** Integer: completion tokens. */
    public static final String TOKENS_COMPLETION = "tokens.completion";
    /** Integer: total tokens. */
    public static final String TOKENS_TOTAL = "tokens.total";
    /** String: the {@code Problem} name of a failure. */
    public static final String PROBLEM = "problem";
    /** Integer: the upstream HTTP status of a failure, when there was one. */
    public static final String HTTP_STATUS = "http.status";
    /** Boolean: whether a test succeeded. */
    public static final String OK = "ok";
    /** String: a credential's fingerprint. */
    public static final String FINGERPRINT = "fingerprint";
    /** String: a credential's previous fingerprint. */
    public static final String PREVIOUS_FINGERPRINT = "previous.fingerprint";
    /** Long: a credential's age in days. */
    public static final String AGE_DAYS = "age.days";

    /** String: the origin a key was stored for ({@code https://host[:port]}). @since 1.1 */
    public static final String ORIGIN_FROM = "origin.from";
    /** String: the origin a provider's base URL moved to. @since 1.1 */
    public static final String ORIGIN_TO = "origin.to";

    /** String: the alias of the {@code moryflow.route} a chat was sent through. @since 1.2 */
    public static final String ROUTE = "route";
    /** Integer: which target of its route a chat went to, 1 for the first tried. @since 1.2 */
    public static final String ATTEMPT = "attempt";
    /** String: a provider's health, {@code healthy} or {@code degraded}. @since 1.2 */
    public static final String HEALTH = "health";
    /** String: why, in the user's words. @since 1.2 */
    public static final String REASON = "reason";
    /**
     * Long: how long the upstream asked to be left alone ({@code Retry-After} or {@code retry-after-ms} of a 429 or
     * 503), in milliseconds. @since 1.3
     */
    public static final String RETRY_AFTER_MS = "retry.after.ms";

    private EventProperties() {
    }
}
