package dev.moryflow.credentials.internal;

import java.io.IOException;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;

import org.osgi.service.cm.Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.moryflow.credentials.CredentialMetadata;
import dev.moryflow.credentials.CredentialStore;
import dev.moryflow.provider.ProviderIds;

/**
 * Moves secrets out of configurations into the {@link Vault}: the {@code apiKey} of every factory configuration
 * {@code moryflow.provider.*} (under its provider id) and the {@code token} of {@code moryflow.gateway} (under
 * {@link CredentialStore#GATEWAY_TOKEN}). After storing, the configuration is updated without the secret and with
 * every other property, including {@code felix.fileinstall.filename}, so FileInstall rewrites the file without it.
 * The update no longer has the secret, so the change event it causes finds nothing to do: no loop. When storing
 * fails, the configuration keeps its secret, so nothing is lost.
 */
final class KeyIngester {

    static final String PROVIDER_FACTORY_PREFIX = "moryflow.provider.";
    static final String GATEWAY_PID = "moryflow.gateway";
    static final String API_KEY = "apiKey";
    static final String TOKEN = "token";
    static final String NAME = "name";

    private final Logger logger = LoggerFactory.getLogger(KeyIngester.class);
    private final Vault vault;

    KeyIngester(Vault vault) {
        this.vault = vault;
    }

    /** @return whether a configuration with this PID and factory PID may hold a secret this class moves */
    static boolean concerns(String pid, String factoryPid) {
        return factoryPid != null ? factoryPid.startsWith(PROVIDER_FACTORY_PREFIX) : GATEWAY_PID.equals(pid);
    }

    /**
     * Moves the configuration's secret, if it has one, into the vault and removes it from the configuration.
     * Serialized, so the start-up scan and change events do not race on one configuration.
     *
     * @return whether a secret was moved
     */
    synchronized boolean ingest(Configuration configuration) {
        String pid = configuration.getPid();
        String factoryPid = configuration.getFactoryPid();
        if (!concerns(pid, factoryPid)) {
            return false;
        }
        Dictionary<String, Object> properties = configuration.getProperties();
        if (properties == null) {
            return false;
        }
        boolean provider = factoryPid != null;
        String keyName = findKey(properties, provider ? API_KEY : TOKEN);
        if (keyName == null) {
            return false;
        }
        Object nameValue = provider ? properties.get(NAME) : null;
        String id = provider
                ? ProviderIds.fromConfiguration(pid, factoryPid, nameValue instanceof String ? (String) nameValue : null)
                : CredentialStore.GATEWAY_TOKEN;
        String what = provider ? "the API key of provider " + id : "the gateway token";
        char[] secret = toChars(properties.get(keyName));
        if (secret == null) {
            logger.warn("Property {} of configuration {} is not text ({}): set it as a single string, for example "
                    + "{}=\"...\" in a .config file", keyName, pid, properties.get(keyName).getClass().getSimpleName(),
                    keyName);
            return false;
        }
        try {
            if (Secrets.isBlank(secret)) {
                return false;
            }
            if (!ProviderIds.isValid(id)) {
                logger.warn("Configuration {} has an {} but no valid provider id ('{}'): give it a name without "
                        + "'/', white space or '~'; the key stays in the configuration until then", pid, keyName, id);
                return false;
            }
            char[] stripped = Secrets.strip(secret);
            CredentialMetadata stored;
            try {
                stored = vault.verify(id, stripped) ? vault.metadata(id).orElseThrow() : vault.store(id, stripped);
            } catch (RuntimeException e) {
                logger.error("Could not store {} from configuration {}; it stays in the configuration until the "
                        + "credential store works: {}", what, pid, e.getMessage());
                return false;
            } finally {
                Secrets.wipe(stripped);
            }
            Dictionary<String, Object> without = new Hashtable<>();
            for (Enumeration<String> keys = properties.keys(); keys.hasMoreElements();) {
                String key = keys.nextElement();
                if (!key.equals(keyName)) {
                    without.put(key, properties.get(key));
                }
            }
            try {
                configuration.updateIfDifferent(without);
            } catch (IOException | RuntimeException e) {
                logger.error("Stored {} (fingerprint {}) but could not remove it from configuration {} ({}): remove "
                        + "the {} line from its file or form by hand", what, stored.fingerprint(), pid, e.toString(),
                        keyName);
                return true;
            }
            logger.info("Stored {} (fingerprint {}) and removed it from its configuration {}", what,
                    stored.fingerprint(), pid);
            return true;
        } finally {
            Secrets.wipe(secret);
        }
    }

    /** Config Admin keys are case-insensitive: find the spelling in use. */
    private static String findKey(Dictionary<String, Object> properties, String wanted) {
        for (Enumeration<String> keys = properties.keys(); keys.hasMoreElements();) {
            String key = keys.nextElement();
            if (key.equalsIgnoreCase(wanted)) {
                return key;
            }
        }
        return null;
    }

    private static char[] toChars(Object value) {
        if (value instanceof String) {
            return ((String) value).toCharArray();
        }
        if (value instanceof char[]) {
            return ((char[]) value).clone();
        }
        return null;
    }
}
