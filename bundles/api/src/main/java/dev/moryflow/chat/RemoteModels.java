package dev.moryflow.chat;

import java.util.List;
import java.util.Objects;

import dev.moryflow.provider.ModelInfo;

/**
 * A provider's remote model list compared with its configured one. Immutable.
 */
public final class RemoteModels {

    private final String providerId;
    private final List<ModelInfo> remote;
    private final List<String> configured;
    private final List<String> missing;
    private final List<String> gone;

    /**
     * @param providerId the provider id
     * @param remote     what the provider's {@code GET /models} answered, in its order
     * @param configured the model ids in the provider's configuration
     * @param missing    remote model ids not yet in the configuration
     * @param gone       configured model ids the provider no longer lists
     */
    public RemoteModels(String providerId, List<ModelInfo> remote, List<String> configured, List<String> missing,
            List<String> gone) {
        this.providerId = Objects.requireNonNull(providerId, "providerId");
        this.remote = List.copyOf(remote);
        this.configured = List.copyOf(configured);
        this.missing = List.copyOf(missing);
        this.gone = List.copyOf(gone);
    }

    /** @return the provider id */
    public String providerId() {
        return providerId;
    }

    /** @return the remote models */
    public List<ModelInfo> remote() {
        return remote;
    }

    /** @return the configured model ids */
    public List<String> configured() {
        return configured;
    }

    /** @return remote model ids not yet configured, in the remote order */
    public List<String> missing() {
        return missing;
    }

    /** @return configured model ids the provider does not list (renamed or retired models) */
    public List<String> gone() {
        return gone;
    }

    @Override
    public String toString() {
        return "RemoteModels[" + providerId + ", " + remote.size() + " remote, " + missing.size() + " missing, "
                + gone.size() + " gone]";
    }
}
