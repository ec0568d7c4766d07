package dev.moryflow.http;

import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.ComponentConstants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.moryflow.provider.ProviderIds;
import dev.moryflow.provider.ProviderService;
import dev.moryflow.provider.Transport;

/**
 * The {@link ProviderService} registration of one provider configuration, made by the provider bundle's component
 * itself (not by DS) so that an invalid configuration is refused with one log line and nothing else is disturbed,
 * and a changed one updates the service's properties in place. Provider ids are one namespace across every provider
 * bundle: {@link #otherHolder} finds a provider of another configuration, of any bundle, that has the id already.
 * A configuration refused because another provider has its id is tried again when that provider goes
 * ({@link #retryWhenIdFree}). Not thread-safe: used from the component's activate, modified and deactivate, which
 * DS calls one at a time, and from the retry, which the component serializes with them.
 *
 * @since 1.3
 */
public final class ProviderRegistration {

    private final Logger logger = LoggerFactory.getLogger(ProviderRegistration.class);
    private final BundleContext context;
    private ServiceRegistration<ProviderService> registration;
    private volatile Runnable retry;
    private volatile boolean closed;
    /** Watches the holder of an id this configuration was refused for; null when not waiting. */
    private final AtomicReference<ServiceListener> waiting = new AtomicReference<>();

    /** @param context the provider bundle's context */
    public ProviderRegistration(BundleContext context) {
        this.context = context;
    }

    /**
     * @param properties the component's configuration
     * @return whether it says {@code enabled = false} (as a boolean or as text)
     */
    static boolean isDisabled(Map<String, ?> properties) {
        String s = ConfigValues.string(properties.get("enabled"));
        return s != null && s.equalsIgnoreCase("false");
    }

    /**
     * @param properties the component's configuration
     * @return the provider id its PID names, else the PID, for log lines
     */
    static String label(Map<String, ?> properties) {
        Object pid = properties.get(Constants.SERVICE_PID);
        if (!(pid instanceof String)) {
            return "(unnamed)";
        }
        String id = ProviderIds.of((String) pid);
        return ProviderIds.isValid(id) ? id : (String) pid;
    }

    /**
     * @param properties the component's configuration
     * @return whether it is a generated factory configuration (the Web Console's "+") that the credentials bundle
     *         is about to replace by the named configuration of its id: not worth a warning
     */
    static boolean waitsForId(Map<String, ?> properties) {
        Object pid = properties.get(Constants.SERVICE_PID);
        Object factory = properties.get("service.factoryPid");
        return ProviderIds.isUnnamed(pid instanceof String ? (String) pid : null,
                factory instanceof String ? (String) factory : null);
    }

    /**
     * Logs a WARN line for a base URL that is plain http to another machine: refused, or allowed and unencrypted.
     *
     * @param logger     the provider bundle's logger
     * @param transport  how its requests travel
     * @param id         the provider id
     * @param displayUrl its base URL as shown
     */
    public static void warnInsecure(Logger logger, Transport transport, String id, String displayUrl) {
        if (transport == Transport.INSECURE_REFUSED) {
            logger.warn("Provider {}: base URL {} is plain http:// to another machine; every request is refused (no "
                    + "key is sent) until it uses https:// or its configuration sets allowInsecure = true", id,
                    displayUrl);
        } else if (transport == Transport.INSECURE_ALLOWED) {
            logger.warn("Provider {}: base URL {} is plain http:// to another machine and allowInsecure = true: its "
                    + "key and messages cross the network unencrypted", id, displayUrl);
        }
    }

    /** Reads and validates one provider configuration. */
    public interface Reader<C> {
        /**
         * @param properties the component's configuration
         * @return the provider's configuration
         * @throws SettingException naming the property, the fault and the fix (never a secret)
         */
        C read(Map<String, ?> properties) throws SettingException;
    }

    /**
     * Decides whether a configuration makes a provider: not when it is disabled, invalid, or claims an id another
     * configuration's provider has. Then the service, if any, is unregistered and the reason logged once (INFO for
     * disabled, WARN with the fix otherwise, DEBUG for a console-made configuration about to get its id).
     *
     * @param properties the component's configuration
     * @param reader     reads it
     * @param idOf       the provider id of what was read
     * @param factory    the factory PID, for the fix in log lines ({@code deploy/<factory>-<id>.cfg})
     * @param logger     the provider bundle's logger
     * @param <C>        the provider's configuration type
     * @return the configuration to register or update the provider with, or null when there is none
     */
    public <C> C accept(Map<String, ?> properties, Reader<C> reader, Function<C, String> idOf, String factory,
            Logger logger) {
        String label = label(properties);
        if (isDisabled(properties)) {
            unregister();
            logger.info("Provider {} is disabled (enabled = false): not registered", label);
            return null;
        }
        C c;
        try {
            c = reader.read(properties);
        } catch (SettingException e) {
            unregister();
            if (waitsForId(properties)) {
                // the credentials bundle gives it its id and replaces it by the named configuration of that id
                logger.debug("Provider configuration {} waits for its id: {}", label, e.getMessage());
            } else {
                logger.warn("Provider {} not registered: {}", label, e.getMessage());
            }
            return null;
        }
        String id = idOf.apply(c);
        String pid = String.valueOf(properties.get(Constants.SERVICE_PID));
        String holder = otherHolder(id, pid);
        if (holder != null) {
            unregister();
            logger.warn("Provider {} not registered: the provider id {} is already used by another provider ({}): "
                    + "give this configuration another id (deploy/{}-<id>.cfg) or remove the other one{}; its key, if "
                    + "it has one, is not used", label, id, holder, factory,
                    retry == null ? "" : " (it is registered as soon as the other one goes)");
            waitForHolder(id, pid);
            return null;
        }
        stopWaiting();
        return c;
    }

    /**
     * @param retry what the component runs (on another thread) to apply its configuration again once the provider
     *              that held its id goes: its own modified, serialized with DS's calls
     * @since 1.5
     */
    public void retryWhenIdFree(Runnable retry) {
        this.retry = retry;
    }

    /**
     * Stops waiting for an id (the component is deactivated): no retry comes after this.
     *
     * @since 1.5
     */
    public void close() {
        closed = true;
        stopWaiting();
    }

    private void waitForHolder(String id, String pid) {
        Runnable r = retry;
        if (r == null || closed) {
            return;
        }
        stopWaiting();
        ServiceListener listener = new ServiceListener() {
            @Override
            public void serviceChanged(ServiceEvent event) {
                if ((event.getType() == ServiceEvent.UNREGISTERING
                        || event.getType() == ServiceEvent.MODIFIED_ENDMATCH) && waiting.compareAndSet(this, null)) {
                    remove(this);
                    again(r);
                }
            }
        };
        waiting.set(listener);
        try {
            context.addServiceListener(listener, "(&(" + Constants.OBJECTCLASS + "=" + ProviderService.class.getName()
                    + ")(" + ProviderService.PROVIDER_ID + "=" + ProviderIds.filterValue(id) + "))");
        } catch (InvalidSyntaxException | IllegalStateException e) {
            waiting.compareAndSet(listener, null);
            logger.debug("Cannot wait for provider id {} to be free", id, e);
            return;
        }
        // the holder may have gone between the check and the listener
        if (otherHolder(id, pid) == null && waiting.compareAndSet(listener, null)) {
            remove(listener);
            again(r);
        }
    }

    private void again(Runnable r) {
        CompletableFuture.runAsync(() -> {
            if (!closed) {
                r.run();
            }
        });
    }

    private void stopWaiting() {
        ServiceListener l = waiting.getAndSet(null);
        if (l != null) {
            remove(l);
        }
    }

    private void remove(ServiceListener l) {
        try {
            context.removeServiceListener(l);
        } catch (IllegalStateException bundleStopped) {
            // its listeners went with it
        }
    }

    /** The registrations holding an id: from the http bundle's index when it runs, else from the registry. */
    private ServiceReference<?>[] holders(String id) throws InvalidSyntaxException {
        ServiceReference<ProviderIdHolders> index = context.getServiceReference(ProviderIdHolders.class);
        ProviderIdHolders holders = index == null ? null : context.getService(index);
        if (holders == null) {
            return context.getServiceReferences(ProviderService.class.getName(),
                    "(" + ProviderService.PROVIDER_ID + "=" + ProviderIds.filterValue(id) + ")");
        }
        try {
            java.util.List<ServiceReference<ProviderService>> refs = holders.holders(id);
            return refs.isEmpty() ? null : refs.toArray(new ServiceReference<?>[0]);
        } finally {
            context.ungetService(index);
        }
    }

    /**
     * @param id  a provider id
     * @param pid the configuration that claims it
     * @return who else, from another configuration (of any provider bundle), registered a provider with this id, or
     *         null when nobody
     */
    public String otherHolder(String id, String pid) {
        try {
            ServiceReference<?>[] refs = holders(id);
            if (refs == null) {
                return null;
            }
            ServiceReference<?> own = registration == null ? null : registration.getReference();
            for (ServiceReference<?> ref : refs) {
                // the same configuration's earlier instance, still going (deleted and made again at once), is no
                // other provider: it is unregistered in a moment
                if (!ref.equals(own) && !pid.equals(ref.getProperty(Constants.SERVICE_PID))) {
                    return ref.getBundle() == null ? "unregistering" : "bundle " + ref.getBundle().getSymbolicName();
                }
            }
        } catch (InvalidSyntaxException | IllegalStateException e) {
            logger.debug("Could not check whether provider id {} is free", id, e);
        }
        return null;
    }

    /**
     * The service properties of a provider, as every provider bundle registers them; never a key.
     *
     * @param id       {@value ProviderService#PROVIDER_ID}
     * @param name     {@value ProviderService#PROVIDER_NAME}
     * @param protocol {@value ProviderService#PROVIDER_PROTOCOL}
     * @param models   {@value ProviderService#PROVIDER_MODELS}
     * @param preset   {@value ProviderService#PROVIDER_PRESET}, or null for a custom provider
     * @param ranking  {@code service.ranking}
     * @param pid      {@code service.pid}: the configuration, which the credentials bundle checks the key's owner by
     * @return the properties
     */
    public static Hashtable<String, Object> serviceProperties(String id, String name, String protocol,
            List<String> models, String preset, int ranking, String pid) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(ProviderService.PROVIDER_ID, id);
        props.put(ProviderService.PROVIDER_NAME, name);
        props.put(ProviderService.PROVIDER_PROTOCOL, protocol);
        props.put(ProviderService.PROVIDER_MODELS, models.toArray(new String[0]));
        if (preset != null) {
            props.put(ProviderService.PROVIDER_PRESET, preset);
        }
        props.put(Constants.SERVICE_RANKING, ranking);
        props.put(Constants.SERVICE_PID, pid);
        return props;
    }

    /** @return whether a service is registered */
    public boolean isRegistered() {
        return registration != null;
    }

    /**
     * Registers the service, or updates the properties of the one registered.
     *
     * @param service    the provider, used only when none is registered yet
     * @param properties its service properties
     * @return whether it was registered now (false: updated)
     */
    public boolean registerOrUpdate(ProviderService service, Dictionary<String, ?> properties) {
        if (registration == null) {
            registration = context.registerService(ProviderService.class, service, properties);
            return true;
        }
        registration.setProperties(properties);
        return false;
    }

    /** Unregisters the service, if any. */
    public void unregister() {
        ServiceRegistration<ProviderService> r = registration;
        registration = null;
        if (r != null) {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
        }
    }

    /**
     * @param reason DS's deactivation reason ({@code ComponentConstants.DEACTIVATION_REASON_*})
     * @param bundle the provider bundle's symbolic name
     * @return what a chat running through the provider is told when DS deactivates its component
     * @since 1.3
     */
    public static String why(int reason, String bundle) {
        switch (reason) {
            case ComponentConstants.DEACTIVATION_REASON_DISABLED:
                return "its component was disabled";
            case ComponentConstants.DEACTIVATION_REASON_REFERENCE:
                return "a service it needs (the HTTP client or the credential store) went away";
            case ComponentConstants.DEACTIVATION_REASON_CONFIGURATION_MODIFIED:
                return "its configuration was changed";
            case ComponentConstants.DEACTIVATION_REASON_CONFIGURATION_DELETED:
                return "its configuration was deleted";
            case ComponentConstants.DEACTIVATION_REASON_BUNDLE_STOPPED:
                return "its bundle " + bundle + " stopped: it was stopped, updated or uninstalled";
            default:
                return "it was shut down";
        }
    }
}
