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
 * check on every chat request is a map lookup instead of a query of the service registry. Each change touches only
 * its own provider id (a thousand providers registering cost a thousand small steps, not a thousand copies).
 */
@Component(service = FirstRegistrations.class)
public class FirstRegistrations {

    /** Guarded by this: the id each service registered under, and the services of each id. */
    private final Map<Long, String> idsByService = new HashMap<>();
    private final Map<String, java.util.TreeSet<Long>> servicesById = new HashMap<>();
    private final Map<String, Long> first = new java.util.concurrent.ConcurrentHashMap<>();

    @Reference(service = ProviderService.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC)
    synchronized void bindProvider(ServiceReference<ProviderService> ref) {
        long service = serviceId(ref);
        Object id = ref.getProperty(ProviderService.PROVIDER_ID);
        forget(service);
        if (id instanceof String) {
            idsByService.put(service, (String) id);
            java.util.TreeSet<Long> services = servicesById.computeIfAbsent((String) id,
                    k -> new java.util.TreeSet<>());
            services.add(service);
            first.put((String) id, services.first());
        }
    }

    synchronized void updatedProvider(ServiceReference<ProviderService> ref) {
        bindProvider(ref);
    }

    synchronized void unbindProvider(ServiceReference<ProviderService> ref) {
        forget(serviceId(ref));
    }

    private void forget(long service) {
        String id = idsByService.remove(service);
        if (id == null) {
            return;
        }
        java.util.TreeSet<Long> services = servicesById.get(id);
        services.remove(service);
        if (services.isEmpty()) {
            servicesById.remove(id);
            first.remove(id);
        } else {
            first.put(id, services.first());
        }
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
