package dev.moryflow.provider.openai.internal;

import java.util.Optional;

import dev.moryflow.credentials.CredentialStore;
import dev.moryflow.http.ProviderKeys;

/**
 * This bundle's code asking its credential store view for a provider's key: the credentials bundle gives a key only
 * to code of the bundle that registered the provider, so the call must come from a class of this bundle (see
 * {@link ProviderKeys}).
 */
final class OwnKeyReads implements ProviderKeys.OwnCode {

    private final CredentialStore store;

    OwnKeyReads(CredentialStore store) {
        this.store = store;
    }

    @Override
    public Optional<char[]> read(String id, String origin) {
        return store.read(id, origin);
    }

    @Override
    public void admitExternal(String id, String origin) {
        store.admitExternal(id, origin);
    }
}
