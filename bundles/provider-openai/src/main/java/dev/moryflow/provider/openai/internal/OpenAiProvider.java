package dev.moryflow.provider.openai.internal;

import java.io.IOException;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.moryflow.credentials.CredentialStore;
import dev.moryflow.credentials.KeyHeldException;
import dev.moryflow.http.HttpClients;
import dev.moryflow.http.JsonSplice;
import dev.moryflow.http.Problems;
import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.ChatStreamListener;
import dev.moryflow.provider.KeyState;
import dev.moryflow.provider.Transport;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;
import dev.moryflow.provider.ProviderInfo;
import dev.moryflow.provider.ProviderService;
import dev.moryflow.provider.StreamHandle;
import dev.moryflow.provider.WholeAnswer;
import okhttp3.Call;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * One OpenAI-compatible provider (or Azure OpenAI deployment): {@code POST {baseUrl}/chat/completions} whole or
 * streamed, {@code GET {baseUrl}/models}. A request that carries the client's OpenAI body ({@link ChatRequest#raw()})
 * is sent as those bytes with only {@code model} replaced; answers carry the upstream's JSON ({@code raw}). The key is read for each request, from the credential store first, else
 * from the environment variable named by {@code apiKeyEnv}; it is never kept, logged or put into a message. The
 * configuration can be replaced while requests run ({@link #update}); each request uses the one it started with.
 */
final class OpenAiProvider implements ProviderService {

    private static final MediaType JSON = MediaType.get("application/json");

    private final Logger logger = LoggerFactory.getLogger(OpenAiProvider.class);
    private final CredentialStore store;
    private final HttpClients http;
    private final Function<String, String> env;
    private final OpenAiCodec codec;
    private volatile ProviderConfig config;
    /** The calls running now; each leaves when it ends. */
    private final Set<StreamCall> running = ConcurrentHashMap.newKeySet();
    /** Why the provider was withdrawn ({@link #close}); null while it is offered. */
    private volatile String closedBecause;

    /**
     * @param store  the credential store (this bundle's view)
     * @param http   the shared HTTP client
     * @param env    looks up environment variables ({@code System::getenv}, faked in tests)
     * @param codec  the wire format
     * @param config the configuration
     */
    OpenAiProvider(CredentialStore store, HttpClients http, Function<String, String> env, OpenAiCodec codec,
            ProviderConfig config) {
        this.store = store;
        this.http = http;
        this.env = env;
        this.codec = codec;
        this.config = config;
    }

    void update(ProviderConfig c) {
        this.config = c;
    }

    ProviderConfig config() {
        return config;
    }

    /**
     * Withdraws the provider: every call still running ends at once with {@link ProviderException#removed} (its
     * upstream call cancelled, so no HTTP client thread calls a listener of a withdrawn provider afterwards), and
     * every later call fails so.
     *
     * @param why what happened, completing "provider x was removed while this chat was running (...)"
     */
    void close(String why) {
        closedBecause = why;
        for (StreamCall call : running) {
            call.abort(ProviderException.removed(config.id(), why));
        }
    }

    /** @return how many calls are running; for tests */
    int running() {
        return running.size();
    }

    @Override
    public ProviderInfo info() {
        ProviderConfig c = config;
        java.util.Optional<dev.moryflow.credentials.CredentialMetadata> stored = storedMetadata(c);
        KeyState state = keyState(c, stored);
        String heldFrom = null;
        if (state == KeyState.HELD) {
            heldFrom = stored.isPresent() ? stored.get().origin()
                    : store.externalBinding(c.id()).map(dev.moryflow.credentials.CredentialMetadata::origin)
                            .orElse(null);
        }
        return new ProviderInfo(c.id(), c.name(), c.protocol(), c.displayBaseUrl(), c.preset(), state,
                c.transport(), heldFrom);
    }

    @Override
    public List<ModelInfo> models() {
        return config.modelInfos();
    }

    private java.util.Optional<dev.moryflow.credentials.CredentialMetadata> storedMetadata(ProviderConfig c) {
        try {
            return store.metadata(c.id());
        } catch (RuntimeException e) {
            logger.debug("Credential store could not be asked about provider {}", c.id(), e);
            return java.util.Optional.empty();
        }
    }

    private KeyState keyState(ProviderConfig c, java.util.Optional<dev.moryflow.credentials.CredentialMetadata> m) {
        if (m.isPresent()) {
            String origin = m.get().origin();
            return origin != null && !origin.equals(c.origin()) ? KeyState.HELD : KeyState.PRESENT;
        }
        if (envKey(c) != null) {
            java.util.Optional<dev.moryflow.credentials.CredentialMetadata> binding;
            try {
                binding = store.externalBinding(c.id());
            } catch (RuntimeException e) {
                binding = java.util.Optional.empty();
            }
            String origin = binding.map(dev.moryflow.credentials.CredentialMetadata::origin).orElse(null);
            return origin != null && !origin.equals(c.origin()) ? KeyState.HELD : KeyState.PRESENT;
        }
        if (c.customAuth()) {
            return KeyState.PRESENT;
        }
        return c.local() ? KeyState.NOT_REQUIRED : KeyState.MISSING;
    }

    // ------------------------------------------------------------------------------------------------------ chat

    @Override
    public ChatResponse chat(ChatRequest request) throws ProviderException {
        // one way to send: the asynchronous call, waited for here; an interrupted caller cancels it
        WholeAnswer answer = new WholeAnswer();
        return answer.await(chatAsync(request, answer), config.id());
    }

    @Override
    public StreamHandle stream(ChatRequest request, ChatStreamListener listener) {
        return send(request, listener, true);
    }

    @Override
    public StreamHandle chatAsync(ChatRequest request, ChatStreamListener listener) {
        return send(request, listener, false);
    }

    /** Sends on the HTTP client's own threads; the answer, whole or streamed, reaches the listener. */
    private StreamHandle send(ChatRequest request, ChatStreamListener listener, boolean streamed) {
        ProviderConfig c = config;
        OkHttpClient client = http.client(c.timeout(), c.connection());
        StreamCall call = new StreamCall(c.id(), request.model(), listener, codec, client.proxy(),
                http.maxEventBytes(), streamed, running);
        char[] key = null;
        try {
            if (closedBecause != null) {
                throw ProviderException.removed(c.id(), closedBecause); // never set back to null
            }
            key = key(c);
            Body body = body(request, streamed);
            call.passThrough(request.hasRaw(), body.usageAdded);
            Request req = request(c, c.chatUrl(), RequestBody.create(body.bytes, JSON), key, streamed);
            call.start(client.newCall(req), key);
            key = null; // the call owns it now
            String closed = closedBecause;
            if (closed != null) {
                // withdrawn while it was being sent, after close() looked at the running calls
                call.abort(ProviderException.removed(c.id(), closed));
            }
        } catch (ProviderException e) {
            call.failLater(e.withProvider(c.id()), client.dispatcher().executorService());
        } finally {
            wipe(key);
        }
        return call;
    }

    /** A request body, and whether the hub added {@code stream_options.include_usage} to the client's. */
    private static final class Body {
        final byte[] bytes;
        final boolean usageAdded;

        Body(byte[] bytes, boolean usageAdded) {
            this.bytes = bytes;
            this.usageAdded = usageAdded;
        }
    }

    /**
     * The body to send: the client's own bytes when the request carries them (only the top-level {@code model}
     * replaced by the provider's model id and, streamed, {@code stream_options.include_usage} made true when the
     * client did not ask for usage, which the hub needs for its events), else the body written from the request.
     */
    private Body body(ChatRequest request, boolean stream) throws ProviderException {
        if (request.hasRaw()) {
            try {
                byte[] bytes = JsonSplice.replaceTopLevelString(request.raw(), "model", request.model());
                byte[] withUsage = stream ? JsonSplice.includeUsage(bytes) : null;
                return withUsage == null ? new Body(bytes, false) : new Body(withUsage, true);
            } catch (IOException e) {
                throw new ProviderException(Problem.BAD_REQUEST, "the request body is not a JSON object: "
                        + e.getMessage(), "Send the chat request as one JSON object.");
            }
        }
        try {
            return new Body(codec.writeChat(request, stream), false);
        } catch (IllegalArgumentException e) {
            throw new ProviderException(Problem.BAD_REQUEST, e.getMessage(),
                    "Pass only JSON values (text, numbers, true/false, lists, maps) as request parameters.");
        }
    }

    // ---------------------------------------------------------------------------------------------------- models

    @Override
    public List<ModelInfo> listRemoteModels() throws ProviderException {
        ProviderConfig c = config;
        if (c.azure()) {
            // an Azure deployment serves one model and has no model list: the configured models are the answer
            return c.modelInfos();
        }
        char[] key = key(c);
        try {
            OkHttpClient client = http.client(c.timeout(), c.connection());
            Request req = request(c, c.modelsUrl(), null, key, false);
            try (Response response = client.newCall(req).execute()) {
                if (!response.isSuccessful()) {
                    throw Problems.fromResponse(response, null, key);
                }
                return codec.readModels(response.body().bytes(), response.header("Content-Type"), key);
            } catch (IOException e) {
                throw Problems.transport(e, req.url(), client.proxy());
            }
        } catch (ProviderException e) {
            throw e.withProvider(c.id());
        } finally {
            wipe(key);
        }
    }

    // ------------------------------------------------------------------------------------------------------ keys

    /**
     * @return the key to send, or null when the provider needs none (local, or authenticated by custom headers)
     * @throws ProviderException {@link Problem#NOT_READY} when a key is needed and there is none
     */
    private char[] key(ProviderConfig c) throws ProviderException {
        if (c.transport() == Transport.INSECURE_REFUSED) {
            throw new ProviderException(Problem.NOT_READY, "provider " + c.id() + " is refused: its baseUrl "
                    + c.displayBaseUrl() + " is plain http:// to another machine, so its key and your messages "
                    + "would cross the network unencrypted",
                    "Use the https:// address of the service. If this network is trusted (a server in your own "
                            + "lab), set allowInsecure = true in the provider's configuration.",
                    0, null, c.id(), null);
        }
        char[] key;
        try {
            key = storedKey(c);
            if (key == null && envKey(c) != null) {
                // the environment's key obeys the same rule: sent only to the origin it was first used for
                store.admitExternal(c.id(), c.origin());
                String fromEnv = envKey(c);
                key = fromEnv == null ? null : fromEnv.toCharArray();
            }
        } catch (KeyHeldException held) {
            throw new ProviderException(Problem.NOT_READY, held.getMessage(), "Nothing was sent. If "
                    + held.to() + " is right, confirm the move: moryflow:key-confirm " + c.id() + " in the shell, "
                    + "POST /api/providers/" + c.id() + "/key/confirm, or store the key again; otherwise set "
                    + "baseUrl back to " + held.from() + ".", 0, null, c.id(), null);
        } catch (RuntimeException refused) {
            // CredentialAccessException or a store failure: nothing is sent without the store's word
            throw new ProviderException(Problem.NOT_READY, "provider " + c.id() + " may not send its key: "
                    + refused.getMessage(), "Check the log of the credentials bundle; a provider id registered "
                    + "twice sends nothing.", 0, null, c.id(), null);
        }
        if (key != null) {
            key = trim(key);
            if (key.length > 0) {
                return checked(c, key);
            }
        }
        if (c.local() || c.customAuth()) {
            return null;
        }
        String envNote = c.apiKeyEnv() == null ? ""
                : " (the environment variable " + c.apiKeyEnv() + " named by apiKeyEnv is not set)";
        String hint = c.preset() != null
                ? "Export " + (c.apiKeyEnv() == null ? "the key's environment variable" : c.apiKeyEnv())
                        + " before starting the hub, or store the key: moryflow:key-set " + c.id() + " in the shell, "
                        + "PUT /api/providers/" + c.id() + "/key, or the API Key field of its configuration in the "
                        + "Web Console (it goes into the encrypted credential store)."
                : "Store one: with the shell command moryflow:key-set " + c.id() + ", PUT /api/providers/"
                        + c.id() + "/key, "
                        + (c.fileName() != null ? "or put apiKey = <your key> in its file " + c.fileName()
                                : "or the API Key field of its configuration in the Web Console")
                        + " (it is moved into the encrypted credential store), or set the environment variable "
                        + (c.apiKeyEnv() == null ? "named by apiKeyEnv" : c.apiKeyEnv()) + ".";
        throw new ProviderException(Problem.NOT_READY, "provider " + c.id() + " has no API key" + envNote, hint,
                0, null, c.id(), null);
    }

    private char[] storedKey(ProviderConfig c) throws KeyHeldException {
        try {
            Optional<char[]> stored = store.read(c.id(), c.origin());
            if (stored.isPresent() && stored.get().length > 0) {
                return stored.get();
            }
        } catch (KeyHeldException held) {
            throw held; // never fall back to another key: nothing is sent
        } catch (RuntimeException e) {
            // CredentialAccessException or a store failure: say why at debug level, fall back to the environment
            logger.debug("No key from the credential store for provider {}: {}", c.id(), e.getMessage());
        }
        return null;
    }

    private String envKey(ProviderConfig c) {
        if (c.apiKeyEnv() == null) {
            return null;
        }
        String v = env.apply(c.apiKeyEnv());
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

    private static char[] checked(ProviderConfig c, char[] key) throws ProviderException {
        for (char ch : key) {
            if (ch < 0x21 || ch > 0x7e) {
                wipe(key);
                throw new ProviderException(Problem.NOT_READY, "the API key of provider " + c.id()
                        + " contains spaces or invisible characters",
                        "Store the key again, copied without line breaks or spaces.", 0, null, c.id(), null);
            }
        }
        return key;
    }

    private static Request request(ProviderConfig c, okhttp3.HttpUrl url, RequestBody body, char[] key,
            boolean stream) {
        Request.Builder b = new Request.Builder().url(url).headers(c.headers());
        if (key != null && !c.customAuth()) {
            if (c.azure()) {
                b.header("api-key", new String(key));
            } else {
                b.header("Authorization", "Bearer " + new String(key));
            }
        }
        if (c.headers().get("Accept") == null) {
            b.header("Accept", stream ? "text/event-stream" : "application/json");
        }
        if (body != null) {
            b.post(body);
        }
        return b.build();
    }

    private static void wipe(char[] key) {
        if (key != null) {
            Arrays.fill(key, '\0');
        }
    }

    @Override
    public String toString() {
        return "OpenAiProvider[" + config + "]";
    }
}
