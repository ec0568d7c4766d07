package dev.moryflow.http.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.Test;
import org.osgi.framework.ServiceReference;

import dev.moryflow.provider.ProviderService;

public class ProviderIdIndexTest {

    private final Map<ServiceReference<ProviderService>, Map<String, Object>> properties = new HashMap<>();

    @SuppressWarnings("unchecked")
    private ServiceReference<ProviderService> reference(String id) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProviderService.PROVIDER_ID, id);
        ServiceReference<ProviderService> ref = (ServiceReference<ProviderService>) Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {ServiceReference.class}, (proxy, m, args) -> {
                    switch (m.getName()) {
                    case "getProperty":
                        return props.get(args[0]);
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    case "equals":
                        return proxy == args[0];
                    default:
                        return null;
                    }
                });
        properties.put(ref, props);
        return ref;
    }

    @Test
    public void eachIdListsItsRegistrationsInTheOrderTheyCameAndForgetsThoseThatWent() {
        ProviderIdIndex index = new ProviderIdIndex();
        ServiceReference<ProviderService> a = reference("groq");
        ServiceReference<ProviderService> b = reference("groq");
        ServiceReference<ProviderService> c = reference("openai");
        index.bindProvider(a);
        index.bindProvider(b);
        index.bindProvider(c);
        assertEquals(List.of(a, b), index.holders("groq"));
        assertEquals(List.of(c), index.holders("openai"));
        index.unbindProvider(a);
        assertEquals(List.of(b), index.holders("groq"));
        index.unbindProvider(b);
        assertTrue(index.holders("groq").isEmpty());
        assertTrue(index.holders("nobody").isEmpty());
    }

    @Test
    public void aRegistrationWhoseIdChangesMovesToItsNewId() {
        ProviderIdIndex index = new ProviderIdIndex();
        ServiceReference<ProviderService> a = reference("old");
        index.bindProvider(a);
        properties.get(a).put(ProviderService.PROVIDER_ID, "new");
        index.updatedProvider(a);
        assertTrue(index.holders("old").isEmpty());
        assertEquals(List.of(a), index.holders("new"));
    }
}
