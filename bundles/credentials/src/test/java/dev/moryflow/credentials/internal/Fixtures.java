package dev.moryflow.credentials.internal;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

/** Hand-made fakes shared by the tests. */
final class Fixtures {

    static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    private Fixtures() {
    }

    /** One posted event. */
    static final class Posted {
        final String topic;
        final Map<String, Object> properties;

        Posted(String topic, Map<String, Object> properties) {
            this.topic = topic;
            this.properties = Map.copyOf(properties);
        }

        @Override
        public String toString() {
            return topic + properties;
        }
    }

    /** Records what the vault posts. */
    static final class RecordingEvents implements EventSink {
        final List<Posted> posted = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void post(String topic, Map<String, Object> properties) {
            posted.add(new Posted(topic, properties));
        }

        List<Posted> withTopic(String topic) {
            List<Posted> out = new ArrayList<>();
            for (Posted p : posted) {
                if (p.topic.equals(topic)) {
                    out.add(p);
                }
            }
            return out;
        }
    }

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    static Vault openVault(Path directory, char[] password, EventSink events, Clock clock) {
        Vault vault = new Vault(directory, password, events, clock, 90);
        vault.open();
        return vault;
    }

    /** A bundle's view whose provider configurations are {@code moryflow.provider.openai~<id>} at example.com. */
    static BundleCredentialStore view(Vault vault, Bundle bundle) {
        return new BundleCredentialStore(vault, bundle, null,
                id -> new Owners.Owner("moryflow.provider.openai~" + id, "https://api.example.com"));
    }

    /** A service reference with these properties. */
    static ServiceReference<?> reference(Map<String, Object> properties) {
        return (ServiceReference<?>) Proxy.newProxyInstance(Fixtures.class.getClassLoader(),
                new Class<?>[] {ServiceReference.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                    case "getProperty":
                        return properties.get(args[0]);
                    case "getPropertyKeys":
                        return properties.keySet().toArray(new String[0]);
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    case "equals":
                        return proxy == args[0];
                    case "toString":
                        return "ServiceReference" + properties;
                    default:
                        throw new UnsupportedOperationException(method.getName());
                    }
                });
    }

    static ServiceReference<?> providerService(String providerId) {
        return providerService(providerId, 1L);
    }

    /** A ProviderService registration with that service.id (lower: registered earlier). */
    static ServiceReference<?> providerService(String providerId, long serviceId) {
        Map<String, Object> properties = new HashMap<>();
        properties.put(Constants.SERVICE_ID, serviceId);
        properties.put(Constants.OBJECTCLASS, new String[] {"dev.moryflow.provider.ProviderService"});
        properties.put("provider.id", providerId);
        return reference(properties);
    }

    /** A bundle with this symbolic name that has registered these services. */
    static Bundle bundle(String symbolicName, ServiceReference<?>... registered) {
        return bundleAmong(symbolicName, java.util.List.of(registered), registered);
    }

    /** A bundle that has registered these services, in a framework where {@code all} are registered. */
    static Bundle bundleAmong(String symbolicName, java.util.List<ServiceReference<?>> all,
            ServiceReference<?>... registered) {
        org.osgi.framework.BundleContext context = (org.osgi.framework.BundleContext) Proxy.newProxyInstance(
                Fixtures.class.getClassLoader(), new Class<?>[] {org.osgi.framework.BundleContext.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getAllServiceReferences")) {
                        String filter = (String) args[1];
                        ServiceReference<?>[] found = all.stream()
                                .filter(r -> filter.equals("(provider.id=" + r.getProperty("provider.id") + ")"))
                                .toArray(ServiceReference<?>[]::new);
                        return found.length == 0 ? null : found;
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        return (Bundle) Proxy.newProxyInstance(Fixtures.class.getClassLoader(), new Class<?>[] {Bundle.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                    case "getBundleContext":
                        return context;
                    case "getRegisteredServices":
                        return registered.length == 0 ? null : registered.clone();
                    case "getSymbolicName":
                        return symbolicName;
                    case "getBundleId":
                        return 42L;
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    case "equals":
                        return proxy == args[0];
                    case "toString":
                        return "Bundle " + symbolicName;
                    default:
                        throw new UnsupportedOperationException(method.getName());
                    }
                });
    }
}
