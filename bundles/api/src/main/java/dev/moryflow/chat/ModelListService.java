package dev.moryflow.chat;

import java.util.Collection;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

import dev.moryflow.provider.ProviderException;

/**
 * Keeps a provider's model list in step with what the provider serves: compares its remote list
 * ({@code GET /models}) with the configured one, and adds chosen models to the provider's configuration (through
 * Configuration Admin, so a provider made from a {@code deploy/} file gets its file updated).
 */
@ProviderType
public interface ModelListService {

    /**
     * @param providerId a provider id
     * @return the remote list, the configured list and their difference
     * @throws ProviderException {@code MODEL_NOT_FOUND}-free problems of the provider ({@code NOT_READY},
     *                           {@code CONNECTION_FAILED}, …), or {@code BAD_REQUEST} for an unknown provider
     */
    RemoteModels remoteModels(String providerId) throws ProviderException;

    /**
     * Adds models to the provider's configured list; ids already there are left alone.
     *
     * @param providerId a provider id
     * @param modelIds   the model ids to add
     * @return the model ids actually added, in the given order
     * @throws ProviderException {@code BAD_REQUEST} for an unknown provider, a blank id, or a provider that was not
     *                           made from a configuration this service can change
     */
    List<String> addModels(String providerId, Collection<String> modelIds) throws ProviderException;
}
