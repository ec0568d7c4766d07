package dev.moryflow.http;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;
import org.osgi.framework.ServiceReference;

import dev.moryflow.provider.ProviderService;

/**
 * Which {@link ProviderService} registrations hold each provider id, kept from service events: for
 * {@link ProviderRegistration#otherHolder}, which asks it once per provider registered. Asking the service registry
 * instead matches the id against every provider there is, so registering a thousand providers at once would cost a
 * million matches.
 *
 * @since 1.4
 */
@ProviderType
public interface ProviderIdHolders {

    /**
     * @param providerId a provider id
     * @return the registrations with that {@code provider.id} now (empty when none), oldest first
     */
    List<ServiceReference<ProviderService>> holders(String providerId);
}
