package dev.moryflow.provider.openai.internal;

import java.util.Collections;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.cm.ManagedServiceFactory;
import org.osgi.service.component.ComponentConstants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

import dev.moryflow.credentials.CredentialStore;
import dev.moryflow.http.HttpClients;

/**
 * Makes one {@link OpenAiProviderComponent} per {@code moryflow.provider.openai} factory configuration, as Config
 * Admin's {@link ManagedServiceFactory} for that PID. Not a DS factory component: DS also takes a plain
 * (singleton) configuration of the same PID for the component's own, merges its properties into every provider's
 * and, when it is deleted, disposes of every provider (Felix SCR: "singleton pid supplied, but matches an existing
 * factory pid"); a user's {@code deploy/moryflow.provider.openai.cfg} did that until the credentials bundle renamed
 * it. A managed service factory is given factory configurations only.
 */
@Component(service = ManagedServiceFactory.class, configurationPid = OpenAiProviderComponent.PID,
        configurationPolicy = ConfigurationPolicy.IGNORE, immediate = true,
        property = Constants.SERVICE_PID + "=" + OpenAiProviderComponent.PID)
@Designate(ocd = OpenAiProviderComponent.Config.class, factory = true)
public class OpenAiProviderFactory implements ManagedServiceFactory {

    private final CredentialStore store;
    private final HttpClients http;
    private final BundleContext context;
    /** Config Admin calls one factory from one thread at a time; deactivation may come from another. */
    private final Map<String, OpenAiProviderComponent> providers = new ConcurrentHashMap<>();
    private volatile boolean active = true;

    /**
     * @param store   the credential store: this bundle's view, which may read the keys of the providers it registered
     * @param http    the shared HTTP client
     * @param context this bundle's context, to register the provider services
     */
    @Activate
    public OpenAiProviderFactory(@Reference(name = "credentials") CredentialStore store,
            @Reference(name = "http") HttpClients http, BundleContext context) {
        this.store = store;
        this.http = http;
        this.context = context;
    }

    @Override
    public String getName() {
        return "OpenAI-compatible provider";
    }

    @Override
    public synchronized void updated(String pid, Dictionary<String, ?> properties) {
        if (!active) {
            return;
        }
        Map<String, Object> p = map(properties);
        OpenAiProviderComponent existing = providers.get(pid);
        if (existing != null) {
            existing.modified(p);
        } else {
            providers.put(pid, new OpenAiProviderComponent(store, http, context, p, System::getenv));
        }
    }

    @Override
    public synchronized void deleted(String pid) {
        remove(pid, "its configuration was deleted");
    }

    private void remove(String pid, String why) {
        OpenAiProviderComponent gone = providers.remove(pid);
        if (gone != null) {
            gone.deactivate(why);
        }
    }

    /** @param reason why DS deactivates the factory: one of {@code ComponentConstants.DEACTIVATION_REASON_*} */
    @Deactivate
    synchronized void deactivate(int reason) {
        active = false;
        String why = why(reason);
        for (String pid : providers.keySet()) {
            remove(pid, why);
        }
    }

    /** @return what a chat running through one of its providers is told when the factory goes */
    String why(int reason) {
        switch (reason) {
            case ComponentConstants.DEACTIVATION_REASON_REFERENCE:
                return "a service it needs (the HTTP client or the credential store) went away";
            case ComponentConstants.DEACTIVATION_REASON_BUNDLE_STOPPED:
                return "its bundle " + context.getBundle().getSymbolicName()
                        + " stopped: it was stopped, updated or uninstalled";
            case ComponentConstants.DEACTIVATION_REASON_DISABLED:
                return "its component was disabled";
            default:
                return "it was shut down";
        }
    }

    private static Map<String, Object> map(Dictionary<String, ?> properties) {
        Map<String, Object> m = new HashMap<>();
        if (properties != null) {
            for (Enumeration<String> keys = properties.keys(); keys.hasMoreElements();) {
                String k = keys.nextElement();
                m.put(k, properties.get(k));
            }
        }
        return Collections.unmodifiableMap(m);
    }
}
