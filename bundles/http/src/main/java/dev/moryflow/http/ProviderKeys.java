package dev.moryflow.http;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.moryflow.credentials.CredentialMetadata;
import dev.moryflow.credentials.CredentialStore;
import dev.moryflow.credentials.KeyHeldException;
import dev.moryflow.provider.KeyState;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;
import dev.moryflow.provider.Transport;

/**
 * How a provider bundle finds the key of one provider for one request, the same way for every protocol: the
 * credential store's key first ({@link CredentialStore#read(String, String)}, which holds it when the base URL moved
 * to another origin), else the environment variable named by {@code apiKeyEnv}, admitted for that origin first
 * ({@link CredentialStore#admitExternal}). Nothing is sent without the store's word: a held key or a refused read is
 * a {@link Problem#NOT_READY} failure naming the fix, never a fall-back to another key. Keys are returned as
 * {@code char[]} the caller wipes ({@link #wipe}) once the request is written; no message here contains one.
 * <p>
 * The credentials bundle gives a key only to <em>code of the bundle</em> that registered the provider: it looks at
 * the calling class. So the two calls that need a key, {@code read} and {@code admitExternal}, are made through an
 * {@link OwnCode} the provider bundle implements with a class of its own (not a lambda: lambda frames belong to no
 * bundle and would leave this bundle's code as the caller, which is refused).
 *
 * @since 1.3
 */
public final class ProviderKeys {

    /**
     * The provider bundle's own code that asks the credential store for a key: implemented there by a plain class
     * calling its own {@link CredentialStore} view.
     */
    public interface OwnCode {
        /**
         * @param id     the provider id
         * @param origin the origin the key will be sent to
         * @return {@code store.read(id, origin)}
         */
        Optional<char[]> read(String id, String origin);

        /**
         * @param id     the provider id
         * @param origin the origin the key from the environment will be sent to
         */
        void admitExternal(String id, String origin);
    }

    private final Logger logger = LoggerFactory.getLogger(ProviderKeys.class);
    private final CredentialStore store;
    private final OwnCode own;
    private final Function<String, String> env;

    /**
     * @param store the credential store: the provider bundle's own view (asked for metadata only)
     * @param own   the provider bundle's class that reads keys from that view
     * @param env   looks up environment variables ({@code System::getenv}; faked in tests)
     */
    public ProviderKeys(CredentialStore store, OwnCode own, Function<String, String> env) {
        this.store = store;
        this.own = own;
        this.env = env;
    }

    /**
     * Refuses a provider whose base URL is plain http to another machine without {@code allowInsecure}.
     *
     * @param transport  how its requests would travel
     * @param id         the provider id
     * @param displayUrl its base URL as shown
     * @throws ProviderException {@link Problem#NOT_READY} when refused: nothing is sent
     */
    public static void refuseInsecure(Transport transport, String id, String displayUrl) throws ProviderException {
        if (transport == Transport.INSECURE_REFUSED) {
            throw new ProviderException(Problem.NOT_READY, "provider " + id + " is refused: its baseUrl "
                    + displayUrl + " is plain http:// to another machine, so its key and your messages would cross "
                    + "the network unencrypted",
                    "Use the https:// address of the service. If this network is trusted (a server in your own "
                            + "lab), set allowInsecure = true in the provider's configuration.",
                    0, null, id, null);
        }
    }

    /**
     * @param id      the provider id
     * @param origin  the origin of its base URL, where the key will be sent
     * @param envName the environment variable named by {@code apiKeyEnv}, or null
     * @return the key, trimmed and checked, or null when the provider has none
     * @throws ProviderException {@link Problem#NOT_READY} when the key is held (base URL moved), the store refuses
     *                           this bundle, or the key holds spaces or invisible characters
     */
    public char[] read(String id, String origin, String envName) throws ProviderException {
        char[] key;
        try {
            key = stored(id, origin);
            if (key == null && envValue(envName) != null) {
                // the environment's key obeys the same rule: sent only to the origin it was first used for
                own.admitExternal(id, origin);
                String fromEnv = envValue(envName);
                key = fromEnv == null ? null : fromEnv.toCharArray();
            }
        } catch (KeyHeldException held) {
            throw new ProviderException(Problem.NOT_READY, held.getMessage(), "Nothing was sent. If " + held.to()
                    + " is right, confirm the move: moryflow:key-confirm " + id + " in the shell, POST /api/providers/"
                    + id + "/key/confirm, or store the key again; otherwise set baseUrl back to " + held.from() + ".",
                    0, null, id, null);
        } catch (RuntimeException refused) {
            // CredentialAccessException or a store failure: nothing is sent without the store's word
            throw new ProviderException(Problem.NOT_READY, "provider " + id + " may not send its key: "
                    + refused.getMessage(), "Check the log of the credentials bundle; a provider id registered "
                    + "twice sends nothing.", 0, null, id, null);
        }
        if (key == null) {
            return null;
        }
        key = trim(key);
        if (key.length == 0) {
            return null;
        }
        for (char ch : key) {
            if (ch < 0x21 || ch > 0x7e) {
                wipe(key);
                throw new ProviderException(Problem.NOT_READY, "the API key of provider " + id
                        + " contains spaces or invisible characters",
                        "Store the key again, copied without line breaks or spaces.", 0, null, id, null);
            }
        }
        return key;
    }

    private char[] stored(String id, String origin) {
        try {
            Optional<char[]> s = own.read(id, origin);
            if (s.isPresent() && s.get().length > 0) {
                return s.get();
            }
        } catch (KeyHeldException held) {
            throw held; // never fall back to another key: nothing is sent
        } catch (RuntimeException e) {
            // CredentialAccessException or a store failure: say why at debug level, fall back to the environment
            logger.debug("No key from the credential store for provider {}: {}", id, e.getMessage());
        }
        return null;
    }

    /**
     * The failure of a provider that needs a key and has none, saying every way to give it one.
     *
     * @param id       the provider id
     * @param envName  its {@code apiKeyEnv}, or null
     * @param preset   its preset, or null
     * @param fileName the deploy file it comes from, or null
     * @return the failure ({@link Problem#NOT_READY})
     */
    public static ProviderException missing(String id, String envName, String preset, String fileName) {
        String envNote = envName == null ? ""
                : " (the environment variable " + envName + " named by apiKeyEnv is not set)";
        String hint = preset != null
                ? "Export " + (envName == null ? "the key's environment variable" : envName) + " before starting the "
                        + "hub, or store the key: moryflow:key-set " + id + " in the shell, PUT /api/providers/" + id
                        + "/key, or the API Key field of its configuration in the Web Console (it goes into the "
                        + "encrypted credential store)."
                : "Store one: with the shell command moryflow:key-set " + id + ", PUT /api/providers/" + id + "/key, "
                        + (fileName != null ? "or put apiKey = <your key> in its file " + fileName
                                : "or the API Key field of its configuration in the Web Console")
                        + " (it is moved into the encrypted credential store), or set the environment variable "
                        + (envName == null ? "named by apiKeyEnv" : envName) + ".";
        return new ProviderException(Problem.NOT_READY, "provider " + id + " has no API key" + envNote, hint, 0, null,
                id, null);
    }

    /**
     * @param id         the provider id
     * @param origin     the origin of its base URL
     * @param envName    its {@code apiKeyEnv}, or null
     * @param withoutKey the state when it has no key: {@link KeyState#MISSING}, or {@link KeyState#NOT_REQUIRED}
     *                   (a server on this machine), or {@link KeyState#PRESENT} (custom headers authenticate)
     * @return whether it has the key it needs; {@link KeyState#HELD} when the key is bound to another origin
     */
    public KeyState state(String id, String origin, String envName, KeyState withoutKey) {
        Optional<CredentialMetadata> m = metadata(id);
        if (m.isPresent()) {
            return held(m.get(), origin) ? KeyState.HELD : KeyState.PRESENT;
        }
        if (envValue(envName) != null) {
            return externalBinding(id).filter(b -> held(b, origin)).isPresent() ? KeyState.HELD : KeyState.PRESENT;
        }
        return withoutKey;
    }

    /**
     * @param id the provider id
     * @return the origin its key (stored, or from the environment) is bound to, or null
     */
    public String heldFrom(String id) {
        Optional<CredentialMetadata> m = metadata(id);
        return m.isPresent() ? m.get().origin() : externalBinding(id).map(CredentialMetadata::origin).orElse(null);
    }

    private static boolean held(CredentialMetadata m, String origin) {
        return m.origin() != null && !m.origin().equals(origin);
    }

    private Optional<CredentialMetadata> metadata(String id) {
        try {
            return store.metadata(id);
        } catch (RuntimeException e) {
            logger.debug("Credential store could not be asked about provider {}", id, e);
            return Optional.empty();
        }
    }

    private Optional<CredentialMetadata> externalBinding(String id) {
        try {
            return store.externalBinding(id);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private String envValue(String envName) {
        if (envName == null) {
            return null;
        }
        String v = env.apply(envName);
        return v == null || v.isBlank() ? null : v;
    }

    private static char[] trim(char[] key) {
        int from = 0;
        int to = key.length;
        while (from < to && key[from] <= ' ') {
            from++;
        }
        while (to > from && key[to - 1] <= ' ') {
            to--;
        }
        if (from == 0 && to == key.length) {
            return key;
        }
        char[] t = Arrays.copyOfRange(key, from, to);
        wipe(key);
        return t;
    }

    /**
     * @param key a key, or null
     */
    public static void wipe(char[] key) {
        if (key != null) {
            Arrays.fill(key, '\0');
        }
    }
}
