package dev.moryflow.credentials.internal;

import java.util.List;
import java.util.Optional;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.moryflow.credentials.CredentialAccessException;
import dev.moryflow.credentials.CredentialMetadata;
import dev.moryflow.credentials.CredentialStore;
import dev.moryflow.provider.ProviderIds;
import dev.moryflow.provider.ProviderService;

/**
 * One bundle's view of the {@link Vault}. Everything is open to every bundle except {@link #read}: a bundle reads
 * only the secret of a provider whose {@link ProviderService} it registered itself. The check walks the bundle's own
 * registered services (a handful), so it is cheap enough for every chat request, and it follows registrations as
 * they come and go without any caching.
 */
class BundleCredentialStore implements CredentialStore {

    private static final StackWalker STACK = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    private final Logger logger = LoggerFactory.getLogger(BundleCredentialStore.class);
    private final Vault vault;
    private final Bundle bundle;
    private final FirstRegistrations registrations;
    private final Owners owners;

    /**
     * @param vault         the shared vault
     * @param bundle        the bundle using this view; null denies every read
     * @param registrations the oldest registration of each provider id, or null to ask the service registry
     * @param owners        who owns provider ids now
     */
    BundleCredentialStore(Vault vault, Bundle bundle, FirstRegistrations registrations, Owners owners) {
        this.vault = vault;
        this.bundle = bundle;
        this.registrations = registrations;
        this.owners = owners;
    }

    @Override
    public CredentialMetadata store(String id, char[] secret) {
        if (isHubSecret(id)) {
            return vault.store(id, secret);
        }
        Owners.Owner owner = owner(id);
        return vault.store(id, secret, owner.pid, owner.origin);
    }

    @Override
    public CredentialMetadata rotate(String id, char[] secret) {
        if (isHubSecret(id)) {
            return vault.rotate(id, secret);
        }
        Owners.Owner owner = owner(id);
        return vault.rotate(id, secret, owner.pid, owner.origin);
    }

    private Owners.Owner owner(String id) {
        if (!ProviderIds.isValid(id)) {
            throw new IllegalArgumentException("'" + id + "' is not a provider id: " + ProviderIds.RULE);
        }
        Owners.Owner owner = owners.ownerOf(id);
        if (owner == null) {
            throw new IllegalArgumentException("no provider configuration has the id " + id + ": create the "
                    + "provider first (a deploy file, POST /api/providers or the Web Console), then store its key");
        }
        return owner;
    }

    private static boolean isHubSecret(String id) {
        return id != null && id.startsWith(CredentialStore.HUB_PREFIX);
    }

    @Override
    public boolean delete(String id) {
        return id != null && !id.startsWith(Vault.PARKED_PREFIX) && vault.delete(id);
    }

    @Override
    public CredentialMetadata confirmMove(String id) {
        if (!ProviderIds.isValid(id)) {
            throw new IllegalArgumentException("'" + id + "' is not a provider id: " + ProviderIds.RULE);
        }
        return vault.confirmMove(id);
    }

    /** Refuses unless the caller may send provider {@code id}'s key: its own code, its own first registration. */
    private void checkReader(String id) {
        Bundle caller = callingBundle();
        if (caller != null && bundle != null && caller.getBundleId() != bundle.getBundleId()) {
            String name = bundleName();
            logger.warn("Refused to give credential {} to code of bundle {} [{}] calling through the view of bundle "
                    + "{}: a view is used only by its own bundle's code", id, caller.getSymbolicName(),
                    caller.getBundleId(), name);
            throw new CredentialAccessException("code of bundle " + caller.getSymbolicName() + " may not read "
                    + "credential '" + id + "' through the credential store view of bundle " + name
                    + " (obtained with that bundle's BundleContext): only the bundle that registered the provider "
                    + "can read its key, from its own code");
        }
        if (!ProviderIds.isValid(id) || !mayRead(id)) {
            String name = bundleName();
            logger.warn("Refused to give credential {} to bundle {}: it has not registered that provider from the "
                    + "configuration the key belongs to, or another bundle registered it first", id, name);
            throw new CredentialAccessException("bundle " + name + " may not read credential '" + id
                    + "': only the bundle that registered the ProviderService with provider.id=" + id
                    + " first, from the configuration the key belongs to, can read it; other bundles can use "
                    + "verify, metadata and list");
        }
    }

    @Override
    public Optional<char[]> read(String id, String origin) throws CredentialAccessException {
        checkReader(id);
        return vault.secretFor(id, origin);
    }

    @Override
    public void admitExternal(String id, String origin) throws CredentialAccessException {
        checkReader(id);
        Owners.Owner owner = owners.ownerOf(id);
        vault.admitExternal(id, owner == null ? null : owner.pid, origin);
    }

    @Override
    public Optional<CredentialMetadata> externalBinding(String id) {
        return ProviderIds.isValid(id) ? vault.externalBinding(id) : Optional.empty();
    }

    @Override
    public boolean verify(String id, char[] candidate) {
        return vault.verify(id, candidate);
    }

    @Override
    public Optional<CredentialMetadata> metadata(String id) {
        return id != null && id.startsWith(Vault.PARKED_PREFIX) ? Optional.empty() : vault.metadata(id);
    }

    @Override
    public List<CredentialMetadata> list() {
        return vault.list();
    }

    /**
     * The bundle of the code that called {@link #read}: the first frame of the calling thread whose class belongs to
     * a bundle other than this one. JDK frames (reflection, lambdas) belong to no bundle and are passed over, so a
     * view obtained through another bundle's borrowed {@code BundleContext} still shows who is calling.
     *
     * @return that bundle, or null when no calling frame belongs to a bundle (not running in a framework)
     */
    private static Bundle callingBundle() {
        Bundle own = FrameworkUtil.getBundle(BundleCredentialStore.class);
        return STACK.walk(frames -> frames.map(StackWalker.StackFrame::getDeclaringClass)
                .map(FrameworkUtil::getBundle)
                .filter(b -> b != null && (own == null || b.getBundleId() != own.getBundleId()))
                .findFirst().orElse(null));
    }

    /**
     * @return whether the bundle has registered a ProviderService whose provider.id is {@code id}, and registered it
     *         before anybody else did: a bundle that registers a second service under an id taken already (to get at
     *         its key) is refused, whatever its ranking
     */
    boolean mayRead(String id) {
        if (bundle == null || id == null) {
            return false;
        }
        ServiceReference<?>[] registered;
        try {
            registered = bundle.getRegisteredServices();
        } catch (IllegalStateException uninstalled) {
            return false;
        }
        if (registered == null) {
            return false;
        }
        long mine = Long.MAX_VALUE;
        Object pid = null;
        for (ServiceReference<?> reference : registered) {
            if (id.equals(reference.getProperty(ProviderService.PROVIDER_ID))
                    && isProviderService(reference.getProperty(Constants.OBJECTCLASS))
                    && serviceId(reference) < mine) {
                mine = serviceId(reference);
                pid = reference.getProperty(Constants.SERVICE_PID);
            }
        }
        String owner = vault.ownerOf(id);
        if (owner != null && !owner.equals(pid)) {
            return false; // a registration from another configuration than the one the key belongs to
        }
        return mine != Long.MAX_VALUE && registeredFirst(id, mine);
    }

    /** @return whether no ProviderService with that provider id is older than the service {@code mine} */
    private boolean registeredFirst(String id, long mine) {
        Long known = registrations == null ? null : registrations.first(id);
        if (known != null && known == mine) {
            // the common case, from the snapshot kept by service events; anything else asks the registry itself
            return true;
        }
        try {
            BundleContext context = bundle.getBundleContext();
            if (context == null) {
                return false;
            }
            ServiceReference<?>[] all = context.getAllServiceReferences(ProviderService.class.getName(),
                    "(" + ProviderService.PROVIDER_ID + "=" + ProviderIds.filterValue(id) + ")");
            for (ServiceReference<?> r : all == null ? new ServiceReference<?>[0] : all) {
                if (serviceId(r) < mine) {
                    return false;
                }
            }
            return true;
        } catch (InvalidSyntaxException | IllegalStateException e) {
            return false;
        }
    }

    private static long serviceId(ServiceReference<?> r) {
        Object id = r.getProperty(Constants.SERVICE_ID);
        return id instanceof Long ? (Long) id : Long.MAX_VALUE;
    }

    private static boolean isProviderService(Object objectClass) {
        if (objectClass instanceof String[]) {
            for (String name : (String[]) objectClass) {
                if (ProviderService.class.getName().equals(name)) {
                    return true;
                }
            }
        }
        return false;
    }

    private String bundleName() {
        if (bundle == null) {
            return "(unknown)";
        }
        String name = bundle.getSymbolicName();
        return (name == null ? "(no symbolic name)" : name) + " [" + bundle.getBundleId() + "]";
    }

    @Override
    public String toString() {
        return "CredentialStore[" + bundleName() + "]";
    }
}
