package dev.moryflow.chat;

import java.util.List;
import java.util.Objects;

/**
 * How a model name was resolved: the model chosen and the others that would also have matched. Immutable.
 */
public final class Route {

    /** How the name matched. */
    public enum Kind {
        /** {@code provider/model}: exactly that provider. */
        QUALIFIED,
        /** A bare model id listed by one provider, or by several and the highest ranking was chosen. */
        BARE,
        /** An alias of a {@code moryflow.route} configuration. */
        ALIAS
    }

    private final String requested;
    private final RoutedModel target;
    private final Kind kind;
    private final List<RoutedModel> alternatives;

    /**
     * @param requested    the name the client asked for
     * @param target       the chosen model
     * @param kind         how the name matched
     * @param alternatives other providers' models that matched the same bare id, lower ranking first excluded
     */
    public Route(String requested, RoutedModel target, Kind kind, List<RoutedModel> alternatives) {
        this.requested = Objects.requireNonNull(requested, "requested");
        this.target = Objects.requireNonNull(target, "target");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.alternatives = alternatives == null ? List.of() : List.copyOf(alternatives);
    }

    /** @return the name the client asked for */
    public String requested() {
        return requested;
    }

    /** @return the chosen model */
    public RoutedModel target() {
        return target;
    }

    /** @return how the name matched */
    public Kind kind() {
        return kind;
    }

    /** @return the other matches of a bare id (empty when the choice was unique) */
    public List<RoutedModel> alternatives() {
        return alternatives;
    }

    /** @return whether several providers list the requested bare id */
    public boolean ambiguous() {
        return !alternatives.isEmpty();
    }

    @Override
    public String toString() {
        return requested + " -> " + target + " (" + kind + (ambiguous() ? ", also " + alternatives : "") + ")";
    }
}
