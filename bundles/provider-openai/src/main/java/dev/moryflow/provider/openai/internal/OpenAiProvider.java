package dev.moryflow.provider.openai.internal;

import java.io.IOException;
import java.util.List;
import java.util.function.Function;


import dev.moryflow.credentials.CredentialStore;
import dev.moryflow.http.HttpClients;
import dev.moryflow.http.JsonSplice;
import dev.moryflow.http.ListenerCall;
import dev.moryflow.http.ProviderKeys;
import dev.moryflow.http.Problems;
import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.ChatStreamListener;
import dev.moryflow.provider.KeyState;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;
import dev.moryflow.provider.ProviderInfo;
import dev.moryflow.provider.ProviderService;
import dev.moryflow.provider.StreamHandle;
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

    private final ProviderKeys keys;
    private final HttpClients http;
    private final OpenAiCodec codec;
    /** The calls running now: ended, each told why, when the provider is withdrawn ({@link #close}). */
    private final dev.moryflow.http.LiveCalls live = new dev.moryflow.http.LiveCalls();
    /** Why the provider was withdrawn, once it was: every later call fails so. */
    private volatile String closed;
    /** Whether this provider's server refused the stream_options the hub adds (then it is no longer added). */
    private volatile boolean usageRefused;
    /** Chats running now, counted only while the configuration sets maxConcurrent. */
    private final java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
    private volatile ProviderConfig config;

    /**
     * @param store  the credential store (this bundle's view)
     * @param http   the shared HTTP client
     * @param env    looks up environment variables ({@code System::getenv}, faked in tests)
     * @param codec  the wire format
     * @param config the configuration
     */
    OpenAiProvider(CredentialStore store, HttpClients http, Function<String, String> env, OpenAiCodec codec,
            ProviderConfig config) {
        this.keys = new ProviderKeys(store, new OwnKeyReads(store), env);
        this.http = http;
        this.codec = codec;
        this.config = config;
    }

    void update(ProviderConfig c) {
        this.config = c;
        this.usageRefused = false; // another server, or another version of it, may take stream_options
    }

    ProviderConfig config() {
        return config;
    }

    @Override
    public ProviderInfo info() {
        ProviderConfig c = config;
        KeyState state = keys.state(c.id(), c.origin(), c.apiKeyEnv(),
                c.customAuth() ? KeyState.PRESENT : c.local() ? KeyState.NOT_REQUIRED : KeyState.MISSING);
        return new ProviderInfo(c.id(), c.name(), c.protocol(), c.displayBaseUrl(), c.preset(), state,
                c.transport(), state == KeyState.HELD ? keys.heldFrom(c.id()) : null);
    }

    @Override
    public List<ModelInfo> models() {
        return config.modelInfos();
    }

    // ------------------------------------------------------------------------------------------------------ chat

    @Override
    public ChatResponse chat(ChatRequest request) throws ProviderException {
        // one way to send: the asynchronous call, waited for here; an interrupted caller cancels it
        return ListenerCall.await(config.id(), listener -> chatAsync(request, listener));
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
                http.maxEventBytes(), streamed);
        char[] key = null;
        try {
            String why = closed;
            if (why != null) {
                throw ProviderException.removed(c.id(), why);
            }
            live.track(call);
            admit(c, call);
            key = key(c);
            Body body = body(request, streamed);
            call.passThrough(request.hasRaw(), body.usageAdded);
            Request req = request(c, c.chatUrl(), RequestBody.create(body.bytes, JSON), key, streamed);
            if (body.asSent != null) {
                call.withoutUsage(request(c, c.chatUrl(), RequestBody.create(body.asSent, JSON), key, streamed),
                        client, () -> usageRefused = true);
            }
            call.start(client.newCall(req), key);
            key = null; // the call owns it now
        } catch (ProviderException e) {
            call.failLater(e.withProvider(c.id()), client.dispatcher().executorService());
        } finally {
            wipe(key);
        }
        return call;
    }

    /**
     * Withdraws the provider: every call running through it ends now, its listener told {@code why}, its upstream
     * connection closed, and every later call fails so. Called before its service is unregistered, so that no HTTP
     * thread goes on calling a listener for a provider that has gone (or a bundle that has stopped).
     *
     * @param why what happened to the provider, in words for the chat's client
     */
    void close(String why) {
        closed = why;
        live.abortAll(ProviderException.removed(config.id(), why));
    }

    /** @return how many calls are running through this provider */
    int running() {
        return live.size();
    }

    /** Counts the call under the provider's {@code maxConcurrent}, or refuses it at once (never a queue). */
    private void admit(ProviderConfig c, StreamCall call) throws ProviderException {
        int limit = c.maxConcurrent();
        if (limit <= 0) {
            return;
        }
        if (running.incrementAndGet() > limit) {
            running.decrementAndGet();
            throw new ProviderException(Problem.RATE_LIMITED, limit + " chats are running through provider '" + c.id()
                    + "', as many as its maxConcurrent allows",
                    "Retry when one has ended, or raise maxConcurrent (0 for no limit) "
                            + (c.fileName() != null ? "in its file " + c.fileName()
                                    : "in its configuration moryflow.provider.openai~" + c.id()) + ".",
                    0, null, c.id(), null);
        }
        call.whenDone(running::decrementAndGet);
    }

    /** A request body, and whether the hub added {@code stream_options.include_usage} to the client's. */
    private static final class Body {
        final byte[] bytes;
        final boolean usageAdded;
        /** The client's body with only the model replaced, when the hub added its stream_options to it. */
        final byte[] asSent;

        Body(byte[] bytes, boolean usageAdded, byte[] asSent) {
            this.bytes = bytes;
            this.usageAdded = usageAdded;
            this.asSent = asSent;
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
                byte[] withUsage = stream && !usageRefused ? JsonSplice.includeUsage(bytes) : null;
                return withUsage == null ? new Body(bytes, false, null) : new Body(withUsage, true, bytes);
            } catch (IOException e) {
                throw new ProviderException(Problem.BAD_REQUEST, "the request body is not a JSON object: "
                        + e.getMessage(), "Send the chat request as one JSON object.");
            }
        }
        try {
            return new Body(codec.writeChat(request, stream), false, null);
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
        ProviderKeys.refuseInsecure(c.transport(), c.id(), c.displayBaseUrl());
        char[] key = keys.read(c.id(), c.origin(), c.apiKeyEnv());
        if (key != null || c.local() || c.customAuth()) {
            return key;
        }
        throw ProviderKeys.missing(c.id(), c.apiKeyEnv(), c.preset(), c.fileName());
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
        ProviderKeys.wipe(key);
    }

    @Override
    public String toString() {
        return "OpenAiProvider[" + config + "]";
    }
}
