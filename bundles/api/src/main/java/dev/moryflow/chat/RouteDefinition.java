package dev.moryflow.chat;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One {@code moryflow.route} configuration as routing reads it: an alias, its targets in the order they are tried,
 * what moves a chat on to the next target, and whether the alias is routable or refused (and why). Immutable.
 *
 * @since 1.4
 */
public final class RouteDefinition {

    /** {@code retryOn} value: the connection could not be made (refused, reset, DNS). */
    public static final String RETRY_CONNECTION = "connection";
    /** {@code retryOn} value: no answer in time, before the first chunk. */
    public static final String RETRY_TIMEOUT = "timeout";
    /** {@code retryOn} value: the upstream answered 5xx. */
    public static final String RETRY_5XX = "5xx";
    /** {@code retryOn} value: the upstream answered 429 (rate limited, quota). */
    public static final String RETRY_429 = "429";
    /** {@code retryOn} value: the provider could not send it (no key, disabled, removed while it ran). */
    public static final String RETRY_NOT_READY = "not-ready";
    /** Every {@code retryOn} value, in the order the form shows them. */
    public static final List<String> RETRY_VALUES = List.of(RETRY_CONNECTION, RETRY_TIMEOUT, RETRY_5XX, RETRY_429,
            RETRY_NOT_READY);
    /** The {@code retryOn} of a route that names none: connection, timeout, 5xx, 429. */
    public static final Set<String> DEFAULT_RETRY_ON = Set.of(RETRY_CONNECTION, RETRY_TIMEOUT, RETRY_5XX, RETRY_429);
    /** The longest {@code Retry-After} a route waits for by default, in seconds. */
    public static final int DEFAULT_MAX_RETRY_AFTER_SECONDS = 5;

    private final String alias;
    private final List<String> targets;
    private final Set<String> retryOn;
    private final int maxRetryAfterSeconds;
    private final String configuration;
    private final String refused;

    /**
     * @param alias                the routable name
     * @param targets              {@code provider/model} each, in the order tried
     * @param retryOn              the failures that move a chat on (values of {@link #RETRY_VALUES})
     * @param maxRetryAfterSeconds the longest {@code Retry-After} waited for before trying a target again
     * @param configuration        the PID of its configuration, or null
     * @param refused              why the alias is not routable (it would shadow a model, or another route has
     *                             it), or null when it is
     */
    public RouteDefinition(String alias, List<String> targets, Set<String> retryOn, int maxRetryAfterSeconds,
            String configuration, String refused) {
        this.alias = Objects.requireNonNull(alias, "alias");
        this.targets = List.copyOf(targets);
        this.retryOn = Set.copyOf(retryOn);
        this.maxRetryAfterSeconds = maxRetryAfterSeconds;
        this.configuration = configuration;
        this.refused = refused;
    }

    /** @return the alias, the name clients use as {@code model} */
    public String alias() {
        return alias;
    }

    /** @return the targets, {@code provider/model} each, in the order they are tried */
    public List<String> targets() {
        return targets;
    }

    /** @return what moves a chat on to the next target */
    public Set<String> retryOn() {
        return retryOn;
    }

    /** @return the longest {@code Retry-After}, in seconds, waited for before a target is tried again */
    public int maxRetryAfterSeconds() {
        return maxRetryAfterSeconds;
    }

    /** @return the PID of its configuration, or null */
    public String configuration() {
        return configuration;
    }

    /** @return why the alias is refused, or null when it is routable */
    public String refused() {
        return refused;
    }

    /** @return whether chats can use the alias */
    public boolean routable() {
        return refused == null;
    }

    /**
     * @param why why it is refused
     * @return this definition, refused
     */
    public RouteDefinition refuse(String why) {
        return new RouteDefinition(alias, targets, retryOn, maxRetryAfterSeconds, configuration, why);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RouteDefinition)) {
            return false;
        }
        RouteDefinition r = (RouteDefinition) o;
        return alias.equals(r.alias) && targets.equals(r.targets) && retryOn.equals(r.retryOn)
                && maxRetryAfterSeconds == r.maxRetryAfterSeconds && Objects.equals(configuration, r.configuration)
                && Objects.equals(refused, r.refused);
    }

    @Override
    public int hashCode() {
        return Objects.hash(alias, targets, retryOn, maxRetryAfterSeconds, configuration, refused);
    }

    @Override
    public String toString() {
        return alias + " -> " + targets + (refused == null ? "" : " (refused: " + refused + ")");
    }
}
