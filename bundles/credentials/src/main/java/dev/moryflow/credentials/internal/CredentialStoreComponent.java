package dev.moryflow.credentials.internal;

import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ServiceScope;

import dev.moryflow.credentials.CredentialStore;

/**
 * The {@link CredentialStore} service, bundle-scoped: Declarative Services makes one instance per using bundle, and
 * that instance knows the bundle ({@link ComponentContext#getUsingBundle()}) for the read check.
 */
@Component(service = CredentialStore.class, scope = ServiceScope.BUNDLE)
public class CredentialStoreComponent extends BundleCredentialStore {

    /**
     * @param context the component context, giving the using bundle
     * @param vault         the shared vault
     * @param registrations the oldest registration of each provider id
     * @param steward       who owns provider ids
     */
    @Activate
    public CredentialStoreComponent(ComponentContext context, @Reference VaultComponent vault,
            @Reference FirstRegistrations registrations, @Reference StewardComponent steward) {
        super(vault.vault(), context.getUsingBundle(), registrations, steward.owners());
    }
}
