package dev.moryflow.chat;

import java.util.Objects;

/**
 * A {@code moryflow.model} configuration whose provider is not there (deleted, disabled or refused): it routes
 * nothing and is reported on every listing until it is removed or its provider comes back. Immutable.
 *
 * @since 1.2
 */
public final class OrphanedModel {

    private final String configuration;
    private final String providerId;
    private final String modelId;

    /**
     * @param configuration the configuration's PID
     * @param providerId    the provider id it names
     * @param modelId       the model id it describes
     */
    public OrphanedModel(String configuration, String providerId, String modelId) {
        this.configuration = Objects.requireNonNull(configuration, "configuration");
        this.providerId = Objects.requireNonNull(providerId, "providerId");
        this.modelId = Objects.requireNonNull(modelId, "modelId");
    }

    /** @return the PID of the {@code moryflow.model} configuration */
    public String configuration() {
        return configuration;
    }

    /** @return the provider id it names */
    public String providerId() {
        return providerId;
    }

    /** @return the model id */
    public String modelId() {
        return modelId;
    }

    /** @return in the user's words: what is wrong and the fix */
    public String status() {
        return "orphaned: provider " + providerId + " is not there (deleted, disabled or refused); remove the "
                + "configuration " + configuration + " or bring the provider back";
    }

    @Override
    public String toString() {
        return "OrphanedModel[" + providerId + "/" + modelId + ", " + configuration + "]";
    }
}
