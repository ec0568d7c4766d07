package dev.moryflow.itests.foreign;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceObjects;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

import dev.moryflow.credentials.CredentialMetadata;
import dev.moryflow.credentials.CredentialStore;
import dev.moryflow.provider.ProviderService;

/**
 * What a foreign bundle, installed while the hub runs, tries in order to get another provider's key through the
 * public API. Each attempt runs with this bundle's own context, as a real foreign bundle's code would, and reports
 * its outcome as a map:
 * <ul>
 * <li>{@code outcome}: {@code REFUSED} (a {@code CredentialAccessException}), {@code EMPTY} (nothing came back),
 * {@code READ} (a secret came back, in {@code value}), {@code RESULT} (a non-secret answer, in {@code value}) or
 * {@code ERROR} (another exception);</li>
 * <li>{@code exception} and {@code message}: the exception's class and its message with the cause chain.</li>
 * </ul>
 * Arguments: the attempt's name and a list whose first element is the credential id and second, for
 * {@code verify}, the candidate.
 */
final class Attempts implements BiFunction<String, List<String>, Map<String, String>> {

    private final BundleContext context;

    Attempts(BundleContext context) {
        this.context = context;
    }

    @Override
    public Map<String, String> apply(String attempt, List<String> args) {
        String id = args.get(0);
        try {
            switch (attempt) {
            case "read-own-view":
                return read(ownStore(), id);
            case "read-service-objects":
                return readThroughServiceObjects(id);
            case "read-every-reference":
                return readThroughEveryReference(id);
            case "read-after-registering-provider":
                return readAfterRegisteringProvider(id);
            case "read-through-provider-bundle-context":
                return readThroughProviderBundleContext(id);
            case "metadata":
                return result(describe(ownStore().metadata(id)));
            case "list":
                return result(ownStore().list().stream().map(Attempts::describe).reduce("", (a, b) -> a + b + "\n"));
            case "verify":
                return result(String.valueOf(ownStore().verify(id, args.get(1).toCharArray())));
            case "configurations":
                return configurations();
            case "provider-service":
                return providerService(id);
            default:
                throw new IllegalArgumentException("no attempt " + attempt);
            }
        } catch (RuntimeException e) {
            return failure(e);
        }
    }

    private CredentialStore ownStore() {
        ServiceReference<CredentialStore> ref = context.getServiceReference(CredentialStore.class);
        if (ref == null) {
            throw new IllegalStateException("no CredentialStore service");
        }
        return context.getService(ref);
    }

    private Map<String, String> read(CredentialStore store, String id) {
        try {
            // asked for the very origin the victim sends its key to, so only the access rule can refuse it
            Optional<char[]> secret = store.read(id, victimOrigin(id));
            return secret.isPresent() ? outcome("READ", new String(secret.get())) : outcome("EMPTY", null);
        } catch (RuntimeException e) {
            return failure(e);
        }
    }

    /** @return the origin of the base URL of the provider registered under {@code id}, or null */
    private String victimOrigin(String id) {
        try {
            for (ServiceReference<ProviderService> r : context.getServiceReferences(ProviderService.class,
                    "(" + ProviderService.PROVIDER_ID + "=" + id + ")")) {
                ProviderService p = context.getService(r);
                if (p != null) {
                    try {
                        return dev.moryflow.credentials.Origins.of(p.info().baseUrl());
                    } finally {
                        context.ungetService(r);
                    }
                }
            }
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalArgumentException(e);
        }
        return null;
    }

    /** ServiceObjects of a bundle-scoped service still give the calling bundle's own view. */
    private Map<String, String> readThroughServiceObjects(String id) {
        ServiceObjects<CredentialStore> objects =
                context.getServiceObjects(context.getServiceReference(CredentialStore.class));
        CredentialStore store = objects.getService();
        try {
            return read(store, id);
        } finally {
            objects.ungetService(store);
        }
    }

    /** Every registered CredentialStore, whoever registered it, all through this bundle's context. */
    private Map<String, String> readThroughEveryReference(String id) {
        ServiceReference<?>[] refs;
        try {
            refs = context.getAllServiceReferences(CredentialStore.class.getName(), null);
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        if (refs == null) {
            return outcome("EMPTY", null);
        }
        Map<String, String> last = outcome("EMPTY", null);
        for (ServiceReference<?> ref : refs) {
            Object service = context.getService(ref);
            if (service instanceof CredentialStore) {
                last = read((CredentialStore) service, id);
                if (!"REFUSED".equals(last.get("outcome"))) {
                    return last;
                }
            }
        }
        last.put("references", String.valueOf(refs.length));
        return last;
    }

    /**
     * Registers a ProviderService with the victim's provider id from this bundle, then asks for the key: the store
     * must not take a second registrant of an id for its owner.
     */
    private Map<String, String> readAfterRegisteringProvider(String id) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(ProviderService.PROVIDER_ID, id);
        props.put(ProviderService.PROVIDER_NAME, "Hijacker");
        props.put(ProviderService.PROVIDER_PROTOCOL, "hijack");
        props.put(ProviderService.PROVIDER_MODELS, new String[0]);
        ServiceRegistration<ProviderService> registration =
                context.registerService(ProviderService.class, new HijackProvider(id), props);
        try {
            return read(ownStore(), id);
        } finally {
            registration.unregister();
        }
    }

    /**
     * Takes the BundleContext of the bundle that registered the victim's provider (Bundle.getBundleContext, public
     * API guarded only by AdminPermission[CONTEXT]) and reads the key through that bundle's view.
     */
    private Map<String, String> readThroughProviderBundleContext(String id) {
        ServiceReference<?>[] refs;
        try {
            refs = context.getServiceReferences(ProviderService.class.getName(),
                    "(" + ProviderService.PROVIDER_ID + "=" + id + ")");
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        if (refs == null) {
            return outcome("EMPTY", null);
        }
        Bundle owner = refs[0].getBundle();
        BundleContext borrowed = owner.getBundleContext();
        if (borrowed == null) {
            return outcome("EMPTY", null);
        }
        ServiceReference<CredentialStore> ref = borrowed.getServiceReference(CredentialStore.class);
        CredentialStore store = borrowed.getService(ref);
        try {
            return read(store, id);
        } finally {
            borrowed.ungetService(ref);
        }
    }

    /** Every configuration this bundle can list, with every property value as text. */
    private Map<String, String> configurations() {
        ServiceReference<ConfigurationAdmin> ref = context.getServiceReference(ConfigurationAdmin.class);
        ConfigurationAdmin admin = context.getService(ref);
        StringBuilder out = new StringBuilder();
        int count = 0;
        try {
            Configuration[] all = admin.listConfigurations(null);
            for (Configuration c : all == null ? new Configuration[0] : all) {
                count++;
                out.append(c.getPid()).append(':');
                Dictionary<String, Object> props = c.getProperties();
                if (props != null) {
                    for (Enumeration<String> keys = props.keys(); keys.hasMoreElements();) {
                        String key = keys.nextElement();
                        out.append(' ').append(key).append('=')
                                .append(Arrays.deepToString(new Object[] { props.get(key) }));
                    }
                }
                out.append('\n');
            }
        } catch (Exception e) {
            return failure(e);
        } finally {
            context.ungetService(ref);
        }
        Map<String, String> r = result(out.toString());
        r.put("count", String.valueOf(count));
        return r;
    }

    /** The victim's provider service: its properties, info and toString. */
    private Map<String, String> providerService(String id) {
        ServiceReference<?>[] refs;
        try {
            refs = context.getServiceReferences(ProviderService.class.getName(),
                    "(" + ProviderService.PROVIDER_ID + "=" + id + ")");
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        if (refs == null) {
            return outcome("EMPTY", null);
        }
        StringBuilder out = new StringBuilder();
        for (String key : refs[0].getPropertyKeys()) {
            out.append(key).append('=').append(Arrays.deepToString(new Object[] { refs[0].getProperty(key) }))
                    .append('\n');
        }
        ProviderService provider = (ProviderService) context.getService(refs[0]);
        try {
            out.append(provider.info()).append('\n').append(provider).append('\n').append(provider.models());
        } finally {
            context.ungetService(refs[0]);
        }
        return result(out.toString());
    }

    private static String describe(Optional<CredentialMetadata> meta) {
        return meta.map(Attempts::describe).orElse("");
    }

    private static String describe(CredentialMetadata m) {
        return m + " id=" + m.id() + " created=" + m.created() + " rotated=" + m.rotated() + " fingerprint="
                + m.fingerprint() + " previous=" + m.previousFingerprints();
    }

    private static Map<String, String> result(String value) {
        return outcome("RESULT", value);
    }

    private static Map<String, String> outcome(String outcome, String value) {
        Map<String, String> r = new HashMap<>();
        r.put("outcome", outcome);
        if (value != null) {
            r.put("value", value);
        }
        return r;
    }

    private static Map<String, String> failure(Exception e) {
        Map<String, String> r = outcome(
                e instanceof dev.moryflow.credentials.CredentialAccessException ? "REFUSED" : "ERROR", null);
        r.put("exception", e.getClass().getName());
        List<String> chain = new ArrayList<>();
        for (Throwable t = e; t != null && chain.size() < 10; t = t.getCause()) {
            chain.add(t.getClass().getName() + ": " + t.getMessage());
        }
        r.put("message", String.join(" <- ", chain));
        return r;
    }
}
