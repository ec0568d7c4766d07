package dev.moryflow.provider.openai.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;

import dev.moryflow.provider.ProviderService;

/** The component's OSGi glue, against a hand-made registry (java.lang.reflect.Proxy fakes). */
public class OpenAiProviderComponentTest {

    /** What the fake registry saw. */
    static final class Registry {
        final List<Registration> registrations = new ArrayList<>();
        ServiceReference<?>[] others;

        Registration live() {
            List<Registration> live = registrations.stream().filter(r -> !r.unregistered).collect(Collectors.toList());
            return live.isEmpty() ? null : live.get(live.size() - 1);
        }

        BundleContext context() {
            return (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] { BundleContext.class }, (proxy, m, args) -> {
                        switch (m.getName()) {
                            case "registerService":
                                Registration r = new Registration(args[1], (Dictionary<?, ?>) args[2]);
                                registrations.add(r);
                                return r.proxy();
                            case "getServiceReferences":
                                return others;
                            case "getServiceReference":
                                return null; // no http bundle index here: the registry is asked
                            case "addServiceListener":
                            case "removeServiceListener":
                                return null; // a refused configuration's wait for its id: not followed here

                            case "getBundle":
                                return fakeReference("dev.moryflow.provider.openai").getBundle();
                            case "toString":
                                return "FakeContext";
                            case "hashCode":
                                return System.identityHashCode(proxy);
                            case "equals":
                                return proxy == args[0];
                            default:
                                throw new UnsupportedOperationException(m.getName());
                        }
                    });
        }
    }

    static final class Registration {
        final Object service;
        Dictionary<?, ?> properties;
        int updates;
        boolean unregistered;
        private final ServiceReference<?> reference = fakeReference("dev.moryflow.provider.openai");

        Registration(Object service, Dictionary<?, ?> properties) {
            this.service = service;
            this.properties = properties;
        }

        @SuppressWarnings("unchecked")
        ServiceRegistration<ProviderService> proxy() {
            return (ServiceRegistration<ProviderService>) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] { ServiceRegistration.class }, (p, m, args) -> {
                        switch (m.getName()) {
                            case "setProperties":
                                properties = (Dictionary<?, ?>) args[0];
                                updates++;
                                return null;
                            case "unregister":
                                if (unregistered) {
                                    throw new IllegalStateException("already unregistered");
                                }
                                unregistered = true;
                                return null;
                            case "getReference":
                                return reference;
                            case "hashCode":
                                return System.identityHashCode(p);
                            case "equals":
                                return p == args[0];
                            default:
                                throw new UnsupportedOperationException(m.getName());
                        }
                    });
        }
    }

    static ServiceReference<?> fakeReference(String bsn) {
        Bundle bundle = (Bundle) Proxy.newProxyInstance(OpenAiProviderComponentTest.class.getClassLoader(),
                new Class<?>[] { Bundle.class }, (p, m, args) -> m.getName().equals("getSymbolicName") ? bsn : null);
        return (ServiceReference<?>) Proxy.newProxyInstance(OpenAiProviderComponentTest.class.getClassLoader(),
                new Class<?>[] { ServiceReference.class }, (p, m, args) -> {
                    switch (m.getName()) {
                        case "getBundle":
                            return bundle;
                        case "equals":
                            return p == args[0];
                        case "hashCode":
                            return System.identityHashCode(p);
                        default:
                            return null;
                    }
                });
    }

    private final Registry registry = new Registry();
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private PrintStream originalErr;

    @Before
    public void captureLog() {
        originalErr = System.err;
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    @After
    public void restoreLog() {
        System.setErr(originalErr);
    }

    private List<String> logLines(String level) {
        String text = log.toString(StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.contains(" " + level + " ")) {
                lines.add(line);
            }
        }
        return lines;
    }

    private OpenAiProviderComponent component(Map<String, Object> config) {
        return new OpenAiProviderComponent(new Fakes.Store(), new Fakes.Http(), registry.context(), config,
                name -> null);
    }

    private static Map<String, Object> groq(Object... more) {
        Map<String, Object> m = ProviderConfigTest.cfg("groq", "name", "Groq", "baseUrl",
                "https://api.groq.com/openai/v1", "models", new String[] { "llama-3.1-70b-versatile" }, "apiKey",
                "gsk_ThisKeyMustNeverShow123");
        for (int i = 0; i < more.length; i += 2) {
            m.put((String) more[i], more[i + 1]);
        }
        return m;
    }

    @Test
    public void validConfigurationRegistersAProviderServiceWithTheDesignProperties() {
        OpenAiProviderComponent c = component(groq("service.ranking", 7, "preset", "groq"));
        Registration r = registry.live();
        assertNotNull(r);
        assertTrue(r.service instanceof ProviderService);
        assertSame(r.service, c.provider());
        assertEquals("groq", r.properties.get(ProviderService.PROVIDER_ID));
        assertEquals("Groq", r.properties.get(ProviderService.PROVIDER_NAME));
        assertEquals("openai", r.properties.get(ProviderService.PROVIDER_PROTOCOL));
        assertArrayEquals(new String[] { "llama-3.1-70b-versatile" },
                (String[]) r.properties.get(ProviderService.PROVIDER_MODELS));
        assertEquals("groq", r.properties.get(ProviderService.PROVIDER_PRESET));
        assertEquals(7, r.properties.get("service.ranking"));
        assertEquals(1, logLines("INFO").size());
    }

    @Test
    public void keyNeverReachesServicePropertiesLogsOrToString() {
        OpenAiProviderComponent c = component(groq());
        Registration r = registry.live();
        String all = Collections.list(r.properties.elements()).toString() + log.toString(StandardCharsets.UTF_8)
                + c.provider() + c.provider().info();
        assertFalse(all, all.contains("ThisKeyMustNeverShow"));
    }

    @Test
    public void changedConfigurationUpdatesTheSameServiceInPlace() {
        OpenAiProviderComponent c = component(groq());
        Registration first = registry.live();
        c.modified(groq("name", "Groq Cloud", "models", "a, b"));
        assertEquals(1, registry.registrations.size());
        assertSame(first, registry.live());
        assertEquals(1, first.updates);
        assertEquals("Groq Cloud", first.properties.get(ProviderService.PROVIDER_NAME));
        assertArrayEquals(new String[] { "a", "b" }, (String[]) first.properties.get(ProviderService.PROVIDER_MODELS));
        assertEquals("Groq Cloud", ((ProviderService) first.service).info().name());
    }

    @Test
    public void invalidConfigurationIsNotRegisteredAndLogsOneWarningNamingProviderFieldAndFix() {
        component(ProviderConfigTest.cfg("broken", "name", "Broken", "baseUrl", "not a url"));
        assertNull(registry.live());
        List<String> warnings = logLines("WARN");
        assertEquals(warnings.toString(), 1, warnings.size());
        String w = warnings.get(0);
        assertTrue(w, w.contains("Provider broken not registered: baseUrl \"not a url\" is not a valid URL: write the "
                + "full address with http:// or https://, for example https://api.example.com/v1"));
    }

    @Test
    public void configurationTurningInvalidRemovesTheService() {
        OpenAiProviderComponent c = component(groq());
        c.modified(groq("dialect", "azure"));
        assertTrue(registry.registrations.get(0).unregistered);
        assertNull(registry.live());
        assertTrue(logLines("WARN").get(0), logLines("WARN").get(0).contains("apiVersion is missing"));
        c.modified(groq());
        assertNotNull("a fixed configuration registers again", registry.live());
    }

    @Test
    public void disabledProviderIsNotRegisteredUntilEnabled() {
        OpenAiProviderComponent c = component(groq("enabled", "false"));
        assertNull(registry.live());
        List<String> info = logLines("INFO");
        assertEquals(1, info.size());
        assertTrue(info.get(0), info.get(0).contains("Provider groq is disabled (enabled = false): not registered"));
        assertTrue(logLines("WARN").isEmpty());
        c.modified(groq("enabled", true));
        assertNotNull(registry.live());
    }

    @Test
    public void deactivationUnregisters() {
        OpenAiProviderComponent c = component(groq());
        c.deactivate("its configuration was deleted");
        assertTrue(registry.registrations.get(0).unregistered);
        c.deactivate("its configuration was deleted");
    }

    @Test
    public void idTakenByAnotherProviderIsRefused() {
        registry.others = new ServiceReference<?>[] { fakeReference("dev.moryflow.provider.anthropic") };
        component(groq());
        assertNull(registry.live());
        String w = logLines("WARN").get(0);
        assertTrue(w, w.contains("the provider id groq is already used by another provider "
                + "(bundle dev.moryflow.provider.anthropic)"));
    }
}
