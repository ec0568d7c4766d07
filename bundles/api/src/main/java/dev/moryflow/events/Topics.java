package dev.moryflow.events;

/**
 * EventAdmin topics, {@code moryflow/<thing>/<ACTION>}. Events are posted asynchronously. The properties each
 * carries are listed per topic and named in {@link EventProperties}.
 */
public final class Topics {

    /** Prefix of every topic, for subscribing to all: {@code moryflow/*}. */
    public static final String ALL = "moryflow/*";

    /**
     * A provider service appeared. Properties: {@code provider.id}, {@code provider.name}, {@code provider.protocol},
     * {@code provider.models}, {@code provider.preset} (when made from a preset).
     */
    public static final String PROVIDER_ADDED = "moryflow/provider/ADDED";
    /** A provider service's properties changed. Properties as {@link #PROVIDER_ADDED}. */
    public static final String PROVIDER_MODIFIED = "moryflow/provider/MODIFIED";
    /** A provider service went away. Properties: {@code provider.id}, {@code provider.name}. */
    public static final String PROVIDER_REMOVED = "moryflow/provider/REMOVED";
    /**
     * A test or diagnosis finished. Properties: {@code provider.id}, {@code model} (when one was tested),
     * {@code ok}, {@code problem} (when not ok), {@code duration.ms}.
     */
    public static final String PROVIDER_TESTED = "moryflow/provider/TESTED";
    /** Models became routable. Properties: {@code provider.id}, {@code models} (String[] of model ids). */
    public static final String MODEL_ADDED = "moryflow/model/ADDED";
    /** Models stopped being routable. Properties: {@code provider.id}, {@code models} (String[] of model ids). */
    public static final String MODEL_REMOVED = "moryflow/model/REMOVED";
    /**
     * A chat finished. Properties: {@code model} (as requested), {@code provider.id}, {@code provider.model},
     * {@code duration.ms}, {@code stream}, and when reported {@code tokens.prompt}, {@code tokens.completion},
     * {@code tokens.total}; for a chat of an alias, {@code route} (the alias) and {@code attempt} (1 for its
     * first target tried).
     */
    public static final String CHAT_COMPLETED = "moryflow/chat/COMPLETED";
    /**
     * A chat failed. Properties: {@code model}, {@code provider.id} (when routing got that far),
     * {@code duration.ms}, {@code stream}, {@code problem} (a {@code Problem} name), {@code http.status} (when
     * there was an answer), {@code retry.after.ms} (when the upstream asked to wait: {@code Retry-After}); for a
     * chat of an alias, {@code route} and {@code attempt}: each target a route tried
     * and that failed posts one, so a route's fallback from {@code a} to {@code b} posts {@code FAILED} for
     * {@code a} (attempt 1) and {@code COMPLETED} for {@code b} (attempt 2).
     */
    public static final String CHAT_FAILED = "moryflow/chat/FAILED";
    /** A secret was stored for the first time. Properties: {@code provider.id}, {@code fingerprint}. */
    public static final String CREDENTIAL_STORED = "moryflow/credential/STORED";
    /**
     * A secret was replaced. Properties: {@code provider.id}, {@code fingerprint}, {@code previous.fingerprint}.
     */
    public static final String CREDENTIAL_ROTATED = "moryflow/credential/ROTATED";
    /** A secret was deleted. Properties: {@code provider.id}, {@code fingerprint}. */
    public static final String CREDENTIAL_DELETED = "moryflow/credential/DELETED";
    /**
     * A secret is older than the rotation warning. Properties: {@code provider.id}, {@code fingerprint},
     * {@code age.days}.
     */
    public static final String CREDENTIAL_EXPIRING = "moryflow/credential/EXPIRING";

    /**
     * A provider's key is held: its base URL moved to another origin, so the key is not sent until the user stores
     * it again or confirms the move. Properties: {@code provider.id}, {@code fingerprint}, {@code origin.from} (the
     * origin the key was stored for), {@code origin.to} (the origin the base URL moved to).
     *
     * @since 1.1
     */
    public static final String CREDENTIAL_HELD = "moryflow/credential/HELD";

    /**
     * A provider's health changed, as the chat bundle reads it from {@link #CHAT_COMPLETED}, {@link #CHAT_FAILED}
     * and {@link #PROVIDER_TESTED} (no traffic of its own). Properties: {@code provider.id}, {@code health}
     * ({@code healthy} or {@code degraded}), {@code reason} (why, in the user's words: problems and counts, never
     * content).
     *
     * @since 1.2
     */
    public static final String PROVIDER_HEALTH = "moryflow/provider/HEALTH";

    private Topics() {
    }
}
