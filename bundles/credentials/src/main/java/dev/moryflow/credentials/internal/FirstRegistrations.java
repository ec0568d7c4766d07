package dev.moryflow.credentials.internal;

import java.util.HashMap;
import java.util.Map;

import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import dev.moryflow.provider.ProviderService;

/**
 * For each provider id, the service id of its oldest {@link ProviderService} registration: the one whose bundle may
 * read the provider's key. Kept from service events (references only, no provider is ever activated), so the read
 * check on every chat request is a map lookup instead of a query of the service registry. An immutable snapshot is
 * swapped on each change.
 */
@Component(service = FirstRegistrations.class)
public class FirstRegistrations {

    private final Map<Long, String> idsByService = new HashMap<>();
    private volatile Map<String, Long> first = Map.of();

    @Reference(service = ProviderService.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC)
    synchronized void bindProvider(ServiceReference<ProviderService> ref) {
        Object id = ref.getProperty(ProviderService.PROVIDER_ID);
        idsByService.put(serviceId(ref), id instanceof String ? (String) id : null);
        rebuild();
    }

    synchronized void updatedProvider(ServiceReference<ProviderService> ref) {
        bindProvider(ref);
    }

    synchronized void unbindProvider(ServiceReference<ProviderService> ref) {
        idsByService.remove(serviceId(ref));
        rebuild();
    }

    private void rebuild() {
        Map<String, Long> next = new HashMap<>();
        idsByService.forEach((service, id) -> {
            if (id != null) {
                next.merge(id, service, Math::min);
            }
        });
        first = Map.copyOf(next);
    }

    /**
     * @param providerId a provider id
     * @return the service id of the oldest registration of that provider id, or null when none is known
     */
    Long first(String providerId) {
        return first.get(providerId);
    }

    static long serviceId(ServiceReference<?> r) {
        Object id = r.getProperty(Constants.SERVICE_ID);
        return id instanceof Long ? (Long) id : Long.MAX_VALUE;
    }
}
