package dev.moryflow.http.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import dev.moryflow.http.ProviderIdHolders;
import dev.moryflow.provider.ProviderService;

/**
 * The provider ids of every {@link ProviderService} registration, from DS's bind calls (made as each service
 * registers, changes or goes, before the registering call returns): references only, no provider is activated.
 */
@Component(service = ProviderIdHolders.class, immediate = true) // kept active: built once, not per question
public class ProviderIdIndex implements ProviderIdHolders {

    /** Guarded by this: the id each registration holds, and the registrations of each id in the order they came. */
    private final Map<ServiceReference<ProviderService>, String> ids = new HashMap<>();
    private final Map<String, List<ServiceReference<ProviderService>>> holders = new HashMap<>();

    @Reference(service = ProviderService.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC)
    synchronized void bindProvider(ServiceReference<ProviderService> ref) {
        forget(ref);
        Object id = ref.getProperty(ProviderService.PROVIDER_ID);
        if (id instanceof String) {
            ids.put(ref, (String) id);
            holders.computeIfAbsent((String) id, k -> new ArrayList<>(1)).add(ref);
        }
    }

    synchronized void updatedProvider(ServiceReference<ProviderService> ref) {
        bindProvider(ref);
    }

    synchronized void unbindProvider(ServiceReference<ProviderService> ref) {
        forget(ref);
    }

    private void forget(ServiceReference<ProviderService> ref) {
        String id = ids.remove(ref);
        if (id != null) {
            List<ServiceReference<ProviderService>> refs = holders.get(id);
            refs.remove(ref);
            if (refs.isEmpty()) {
                holders.remove(id);
            }
        }
    }

    @Override
    public synchronized List<ServiceReference<ProviderService>> holders(String providerId) {
        List<ServiceReference<ProviderService>> refs = holders.get(providerId);
        return refs == null ? List.of() : List.copyOf(refs);
    }
}
