package dev.moryflow.credentials.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import org.junit.Test;
import org.osgi.framework.ServiceReference;

import dev.moryflow.provider.ProviderService;

public class FirstRegistrationsTest {

    @SuppressWarnings("unchecked")
    private static ServiceReference<ProviderService> ref(String id, long serviceId) {
        return (ServiceReference<ProviderService>) Fixtures.providerService(id, serviceId);
    }

    @Test
    public void theOldestRegistrationOfEachIdIsKeptAsServicesComeAndGo() {
        FirstRegistrations r = new FirstRegistrations();
        ServiceReference<ProviderService> real = ref("groq", 10L);
        ServiceReference<ProviderService> hijack = ref("groq", 57L);
        r.bindProvider(hijack);
        r.bindProvider(real);
        r.bindProvider(ref("openai", 12L));
        assertEquals(Long.valueOf(10L), r.first("groq"));
        assertEquals(Long.valueOf(12L), r.first("openai"));
        r.unbindProvider(real);
        assertEquals(Long.valueOf(57L), r.first("groq"));
        r.unbindProvider(hijack);
        assertNull(r.first("groq"));
    }
}
