package dev.moryflow.provider.anthropic.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonFactory;

import dev.moryflow.credentials.CredentialStore;
import dev.moryflow.http.HttpClients;
import dev.moryflow.http.JsonValues;
import dev.moryflow.http.ListenerCall;
import dev.moryflow.http.LiveCalls;
import dev.moryflow.http.Problems;
import dev.moryflow.http.ProviderKeys;
import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.ChatStreamListener;
import dev.moryflow.provider.KeyState;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.ProviderException;
import dev.moryflow.provider.ProviderInfo;
import dev.moryflow.provider.ProviderService;
import dev.moryflow.provider.StreamHandle;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * One Anthropic provider: {@code POST {base}/v1/messages} whole or streamed, {@code GET {base}/v1/models}, with the
 * headers {@code x-api-key} and {@code anthropic-version} (and the configured ones, such as {@code anthropic-beta}).
 * Requests in the OpenAI shape are translated by {@link RequestTranslator}, answers by {@link AnswerTranslator}. The
 * key is read for each request ({@link ProviderKeys}: the credential store, else the environment variable), sent
 * only to the origin it is bound to, and wiped once the request is written; it is never kept, logged or put into a
 * message. The configuration can be replaced while requests run ({@link #update}); each request uses the one it
 * started with.
 */
final class AnthropicProvider implements ProviderService {

    private static final MediaType JSON = MediaType.get("application/json");

    private final ProviderKeys keys;
    private final HttpClients http;
    private final JsonFactory json = new JsonFactory();
    private final RequestTranslator translator = new RequestTranslator();
    private final LiveCalls live = new LiveCalls();
    private volatile AnthropicConfig config;

    /**
     * @param store  the credential store (this bundle's view)
     * @param http   the shared HTTP client
     * @param env    looks up environment variables ({@code System::getenv}, faked in tests)
     * @param config the configuration
     */
    AnthropicProvider(CredentialStore store, HttpClients http, Function<String, String> env, AnthropicConfig config) {
        this.keys = new ProviderKeys(store, new OwnKeyReads(store), env);
        this.http = http;
        this.config = config;
    }

    void update(AnthropicConfig c) {
        this.config = c;
    }

    /**
     * Ends every chat still running through this provider with an error saying why: it is going away.
     *
     * @param why what happened, for example {@code its bundle was stopped}
     */
    void close(String why) {
        live.abortAll(ProviderException.removed(config.id(), why));
    }

    /** @return how many chats are running through this provider; for tests */
    int running() {
        return live.size();
    }

    AnthropicConfig config() {
        return config;
    }

    @Override
    public ProviderInfo info() {
        AnthropicConfig c = config;
        KeyState state = keys.state(c.id(), c.origin(), c.apiKeyEnv(), c.withoutKey());
        return new ProviderInfo(c.id(), c.name(), AnthropicConfig.PROTOCOL, c.displayBaseUrl(), c.preset(), state,
                c.transport(), state == KeyState.HELD ? keys.heldFrom(c.id()) : null);
    }

    @Override
    public List<ModelInfo> models() {
        return config.modelInfos();
    }

    @Override
    public ChatResponse chat(ChatRequest request) throws ProviderException {
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

    private StreamHandle send(ChatRequest request, ChatStreamListener listener, boolean streamed) {
        AnthropicConfig c = config;
        OkHttpClient client = http.client(c.timeout(), c.connection());
        AnthropicCall call = live.track(new AnthropicCall(c.id(), request.model(), listener, json, client.proxy(),
                http.maxEventBytes(), streamed));
        char[] key = null;
        try {
            ProviderKeys.refuseInsecure(c.transport(), c.id(), c.displayBaseUrl());
            byte[] body = translator.write(request, c.maxTokens(), streamed);
            key = key(c);
            Request req = request(c, c.messagesUrl(), RequestBody.create(body, JSON), key, streamed);
            call.start(client.newCall(req), key);
            key = null; // the call owns it now
        } catch (ProviderException e) {
            call.failLater(e.withProvider(c.id()), client.dispatcher().executorService());
        } finally {
            ProviderKeys.wipe(key);
        }
        return call;
    }

    @Override
    public List<ModelInfo> listRemoteModels() throws ProviderException {
        AnthropicConfig c = config;
        char[] key = null;
        try {
            ProviderKeys.refuseInsecure(c.transport(), c.id(), c.displayBaseUrl());
            key = key(c);
            OkHttpClient client = http.client(c.timeout(), c.connection());
            Request req = request(c, c.modelsUrl(), null, key, false);
            try (Response response = client.newCall(req).execute()) {
                if (!response.isSuccessful()) {
                    throw Problems.fromResponse(response, null, key);
                }
                return models(response.body().bytes(), response.header("Content-Type"), key);
            } catch (IOException e) {
                throw Problems.transport(e, req.url(), client.proxy());
            }
        } catch (ProviderException e) {
            throw e.withProvider(c.id());
        } finally {
            ProviderKeys.wipe(key);
        }
    }

    /** Reads {@code {"data": [{"type": "model", "id": ..., "display_name": ...}], "has_more": ...}}. */
    private List<ModelInfo> models(byte[] body, String contentType, char[] key) throws ProviderException {
        String text = new String(body, StandardCharsets.UTF_8);
        Object root;
        try {
            root = JsonValues.parse(json, text);
        } catch (IOException e) {
            throw Problems.notUnderstood("the model list is not JSON", contentType, text, key);
        }
        Object data = root instanceof Map ? ((Map<?, ?>) root).get("data") : null;
        if (!(data instanceof List)) {
            throw Problems.notUnderstood("the model list has no \"data\" array", contentType, text, key);
        }
        List<ModelInfo> out = new ArrayList<>();
        for (Object o : (List<?>) data) {
            if (o instanceof Map && ((Map<?, ?>) o).get("id") instanceof String) {
                Object display = ((Map<?, ?>) o).get("display_name");
                out.add(new ModelInfo((String) ((Map<?, ?>) o).get("id"),
                        display instanceof String ? (String) display : null, ModelInfo.UNKNOWN, ModelInfo.UNKNOWN,
                        null));
            }
        }
        return out;
    }

    /**
     * @return the key to send, or null when the provider needs none (on this machine, or custom headers)
     * @throws ProviderException {@code NOT_READY} when a key is needed and there is none, or it is held
     */
    private char[] key(AnthropicConfig c) throws ProviderException {
        char[] key = keys.read(c.id(), c.origin(), c.apiKeyEnv());
        if (key != null || c.withoutKey() != KeyState.MISSING) {
            return key;
        }
        throw ProviderKeys.missing(c.id(), c.apiKeyEnv(), c.preset(), c.fileName());
    }

    private static Request request(AnthropicConfig c, HttpUrl url, RequestBody body, char[] key, boolean stream) {
        Request.Builder b = new Request.Builder().url(url).headers(c.headers());
        if (key != null && !c.customAuth()) {
            b.header("x-api-key", new String(key));
        }
        b.header("anthropic-version", c.anthropicVersion());
        if (c.headers().get("Accept") == null) {
            b.header("Accept", stream ? "text/event-stream" : "application/json");
        }
        if (body != null) {
            b.post(body);
        }
        return b.build();
    }

    @Override
    public String toString() {
        return "AnthropicProvider[" + config + "]";
    }
}
