package dev.moryflow.chat;

import java.util.Objects;

import dev.moryflow.provider.ModelInfo;

/**
 * A model that chat requests can be routed to: which provider serves it and its metadata. Immutable.
 */
public final class RoutedModel {

    private final String providerId;
    private final String providerName;
    private final ModelInfo model;
    private final int ranking;

    /**
     * @param providerId   the provider id
     * @param providerName the provider's display name
     * @param model        the model's metadata
     * @param ranking      the provider service's ranking (higher wins for a bare model id several providers list)
     */
    public RoutedModel(String providerId, String providerName, ModelInfo model, int ranking) {
        this.providerId = Objects.requireNonNull(providerId, "providerId");
        this.providerName = providerName == null ? providerId : providerName;
        this.model = Objects.requireNonNull(model, "model");
        this.ranking = ranking;
    }

    /** @return the provider id */
    public String providerId() {
        return providerId;
    }

    /** @return the provider's display name */
    public String providerName() {
        return providerName;
    }

    /** @return the model's metadata */
    public ModelInfo model() {
        return model;
    }

    /** @return the provider service's ranking */
    public int ranking() {
        return ranking;
    }

    /** @return the qualified name {@code provider/model}, which always routes to exactly this model */
    public String qualifiedName() {
        return providerId + "/" + model.id();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RoutedModel && providerId.equals(((RoutedModel) o).providerId)
                && model.equals(((RoutedModel) o).model) && ranking == ((RoutedModel) o).ranking;
    }

    @Override
    public int hashCode() {
        return Objects.hash(providerId, model, ranking);
    }

    @Override
    public String toString() {
        return qualifiedName();
    }
}
