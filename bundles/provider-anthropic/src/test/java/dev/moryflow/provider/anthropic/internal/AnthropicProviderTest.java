package dev.moryflow.provider.anthropic.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import dev.moryflow.credentials.CredentialMetadata;
import dev.moryflow.credentials.CredentialStore;
import dev.moryflow.http.ConnectionSettings;
import dev.moryflow.http.HttpClients;
import dev.moryflow.http.SettingException;
import dev.moryflow.provider.ChatChunk;
import dev.moryflow.provider.ChatMessage;
import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.ChatStreamListener;
import dev.moryflow.provider.KeyState;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;
import dev.moryflow.provider.Usage;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;

/**
 * The provider against a fake Anthropic upstream (MockWebServer) answering with the event sequences the API
 * documents: what it receives (path, headers, body) and what the listener is told.
 */
public class AnthropicProviderTest {

    private static final String KEY = "sk-ant-api03-0123456789abcdefSECRET";

    private MockWebServer server;
    private final Map<String, char[]> keys = new HashMap<>();
    private final Map<String, String> env = new HashMap<>();

    /** The credential store's view of this bundle: keys in memory, bound to no origin. */
    private final CredentialStore store = new CredentialStore() {
        @Override
        public Optional<char[]> read(String id, String origin) {
            return Optional.ofNullable(keys.get(id)).map(char[]::clone);
        }

        @Override
        public Optional<CredentialMetadata> metadata(String id) {
            return keys.containsKey(id) ? Optional.of(new CredentialMetadata(id, Instant.EPOCH, null, "fp", null))
                    : Optional.empty();
        }

        @Override
        public void admitExternal(String id, String origin) {
            // every origin admitted
        }

        @Override
        public Optional<CredentialMetadata> externalBinding(String id) {
            return Optional.empty();
        }

        @Override
        public CredentialMetadata store(String id, char[] secret) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CredentialMetadata rotate(String id, char[] secret) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean delete(String id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CredentialMetadata confirmMove(String id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public boolean verify(String id, char[] candidate) {
            return false;
        }

        @Override
        public List<CredentialMetadata> list() {
            return List.of();
        }
    };

    private final HttpClients http = new HttpClients() {
        final OkHttpClient base = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(10)).build();

        @Override
        public OkHttpClient client() {
            return base;
        }

        @Override
        public OkHttpClient client(Duration readTimeout) {
            return base;
        }

        @Override
        public OkHttpClient client(Duration readTimeout, ConnectionSettings settings) {
            return base;
        }
    };

    @Before
    public void setUp() throws IOException {
        server = new MockWebServer();
        server.start();
        keys.put("claude", KEY.toCharArray());
    }

    @After
    public void tearDown() {
        server.close();
    }

    static Map<String, Object> cfg(String id, Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("service.pid", AnthropicProviderComponent.PID + "~" + id);
        m.put("service.factoryPid", AnthropicProviderComponent.PID);
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private AnthropicProvider provider(Object... kv) throws SettingException {
        Map<String, Object> m = cfg("claude", kv);
        m.putIfAbsent("baseUrl", server.url("/").toString());
        m.putIfAbsent("models", "claude-sonnet-4-5");
        return new AnthropicProvider(store, http, env::get, AnthropicConfig.parse(m));
    }

    private static MockResponse json(int code, String body) {
        return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json").body(body).build();
    }

    private static MockResponse sse(String resource) throws IOException {
        try (InputStream in = AnthropicProviderTest.class.getResourceAsStream("/anthropic/" + resource)) {
            return new MockResponse.Builder().addHeader("Content-Type", "text/event-stream")
                    .body(new String(in.readAllBytes(), StandardCharsets.UTF_8)).build();
        }
    }

    private static final String WHOLE = "{\"id\":\"msg_01XFDUDYJgAACzvnptvVoYEL\",\"type\":\"message\",\"role\":"
            + "\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"Hello!\"}],\"model\":\"claude-sonnet-4-5-20250929\","
            + "\"stop_reason\":\"end_turn\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,\"output_tokens\":6}}";

    private static final String TOOLS_BODY = "{\"model\":\"claude/claude-sonnet-4-5\",\"stream\":true,\"messages\":"
            + "[{\"role\":\"system\",\"content\":\"You forecast.\"},{\"role\":\"user\",\"content\":\"Weather in SF?\"}],"
            + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":"
            + "\"object\",\"properties\":{\"location\":{\"type\":\"string\"}}}}}],\"tool_choice\":\"auto\","
            + "\"parallel_tool_calls\":false,\"max_completion_tokens\":300}";

    private static ChatRequest fromClient(String body) {
        return ChatRequest.builder("claude-sonnet-4-5").message(ChatMessage.user("(parsed)"))
                .raw(body.getBytes(StandardCharsets.UTF_8)).build();
    }

    /** Records the listener's calls. */
    private static final class Recorder implements ChatStreamListener {
        final List<ChatChunk> chunks = new CopyOnWriteArrayList<>();
        final CompletableFuture<ChatResponse> end = new CompletableFuture<>();

        @Override
        public void onChunk(ChatChunk chunk) {
            chunks.add(chunk);
        }

        @Override
        public void onComplete(ChatResponse response) {
            end.complete(response);
        }

        @Override
        public void onError(ProviderException error) {
            end.completeExceptionally(error);
        }

        ChatResponse response() throws Exception {
            return end.get(10, TimeUnit.SECONDS);
        }

        ProviderException error() throws Exception {
            try {
                end.get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                return (ProviderException) e.getCause();
            }
            throw new AssertionError("no error; chunks " + chunks);
        }
    }

    @Test
    public void aWholeChatSendsTheAnthropicHeadersAndBodyAndReadsTheMessage() throws Exception {
        server.enqueue(json(200, WHOLE));
        ChatResponse r = provider("headers", "anthropic-beta: prompt-caching-2024-07-31", "maxTokens", "512")
                .chat(ChatRequest.builder("claude-sonnet-4-5").message(ChatMessage.system("Be brief."))
                        .message(ChatMessage.user("Hi")).temperature(0.2).build());
        RecordedRequest req = server.takeRequest();
        assertEquals("POST", req.getMethod());
        assertEquals("/v1/messages", req.getUrl().encodedPath());
        assertEquals(KEY, req.getHeaders().get("x-api-key"));
        assertEquals("2023-06-01", req.getHeaders().get("anthropic-version"));
        assertEquals("prompt-caching-2024-07-31", req.getHeaders().get("anthropic-beta"));
        assertNull(req.getHeaders().get("Authorization"));
        assertEquals("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":512,\"system\":[{\"type\":\"text\",\"text\":"
                + "\"Be brief.\"}],\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hi\"}]}],"
                + "\"temperature\":0.2}", req.getBody().utf8());
        assertEquals("Hello!", r.content());
        assertEquals("stop", r.finishReason());
        assertEquals(new Usage(12, 6, 18), r.usage());
        assertEquals("claude", r.providerId());
        assertNull("no raw: the gateway writes OpenAI JSON from the normalized answer", r.raw());
    }

    @Test
    public void aStreamedChatWithToolsGetsToolCallDeltasAndTheAssembledAnswer() throws Exception {
        server.enqueue(sse("tool-use.sse"));
        Recorder rec = new Recorder();
        provider().stream(fromClient(TOOLS_BODY), rec);
        ChatResponse r = rec.response();
        RecordedRequest req = server.takeRequest();
        assertEquals("text/event-stream", req.getHeaders().get("Accept"));
        assertEquals("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":300,\"system\":[{\"type\":\"text\",\"text\":"
                + "\"You forecast.\"}],\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":"
                + "\"Weather in SF?\"}]}],\"tools\":[{\"name\":\"get_weather\",\"input_schema\":{\"type\":\"object\","
                + "\"properties\":{\"location\":{\"type\":\"string\"}}}}],\"tool_choice\":{\"type\":\"auto\","
                + "\"disable_parallel_tool_use\":true},\"stream\":true}", req.getBody().utf8());
        assertEquals("toolu_01T1x1fJ34qAmk2tNTrN7Up6", rec.chunks.get(2).toolCalls().get(0).get("id"));
        assertEquals("tool_calls", rec.chunks.get(rec.chunks.size() - 1).finishReason());
        assertEquals("Okay, let's check the weather for San Francisco, CA:", r.content());
        assertEquals(Map.of("name", "get_weather", "arguments",
                "{\"location\": \"San Francisco, CA\", \"unit\": \"fahrenheit\"}"), r.toolCalls().get(0).get("function"));
        assertEquals("tool_calls", r.finishReason());
    }

    @Test
    public void thinkingIsStreamedAsReasoning() throws Exception {
        server.enqueue(sse("thinking.sse"));
        Recorder rec = new Recorder();
        provider().stream(fromClient("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"27*453?\"}],"
                + "\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":2000}}"), rec);
        ChatResponse r = rec.response();
        assertTrue(server.takeRequest().getBody().utf8().contains("\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":2000}"));
        assertEquals("Let me solve this step by step:\n\n1. First break down 27 * 453", rec.chunks.get(0).reasoning());
        assertEquals("27 * 453 = 12,231", r.content());
        assertEquals(100, r.usage().cachedPromptTokens());
    }

    @Test
    public void anErrorEventMidStreamEndsItWithTheUpstreamsErrorKept() throws Exception {
        server.enqueue(sse("midstream-error.sse"));
        Recorder rec = new Recorder();
        provider().stream(ChatRequest.of("claude-sonnet-4-5", "hi"), rec);
        ProviderException e = rec.error();
        assertEquals("Hel", rec.chunks.get(0).content());
        assertEquals("claude", e.providerId());
        assertEquals(200, e.upstreamAnswer().status());
        assertEquals("overloaded_error", e.upstreamAnswer().errorText("type"));
        assertEquals("Overloaded", e.upstreamAnswer().errorText("message"));
    }

    @Test
    public void overloaded529KeepsItsStatusAndType() throws Exception {
        server.enqueue(json(529, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"},"
                + "\"request_id\":\"req_011CSHoEeqs5C35K2UUqR7Fy\"}"));
        try {
            provider().chat(ChatRequest.of("claude-sonnet-4-5", "hi"));
            fail();
        } catch (ProviderException e) {
            assertEquals(Problem.UPSTREAM_ERROR, e.problem());
            assertEquals(529, e.upstreamAnswer().status());
            assertEquals("overloaded_error", e.upstreamAnswer().errorText("type"));
            assertEquals(529, e.httpStatus());
        }
        server.enqueue(json(529, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}"));
        Recorder rec = new Recorder();
        provider().stream(ChatRequest.of("claude-sonnet-4-5", "hi"), rec);
        assertEquals(529, rec.error().upstreamAnswer().status());
    }

    @Test
    public void aRejectedKeyIsAuthenticationAndTheKeyNeverShows() throws Exception {
        server.enqueue(json(401, "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":"
                + "\"invalid x-api-key " + KEY + "\"}}"));
        try {
            provider().chat(ChatRequest.of("claude-sonnet-4-5", "hi"));
            fail();
        } catch (ProviderException e) {
            assertEquals(Problem.AUTHENTICATION, e.problem());
            assertFalse(e.getMessage(), e.getMessage().contains(KEY));
            assertFalse(e.upstreamAnswer().toString(), String.valueOf(e.upstreamAnswer().error()).contains(KEY));
            assertEquals("authentication_error", e.upstreamAnswer().errorText("type"));
        }
    }

    @Test
    public void aStreamCutBeforeMessageStopFails() throws Exception {
        server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream")
                .body("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\"}}\n\n"
                        + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                        + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi\"}}\n\n").build());
        Recorder rec = new Recorder();
        provider().stream(ChatRequest.of("claude-sonnet-4-5", "hi"), rec);
        ProviderException e = rec.error();
        assertEquals(Problem.RESPONSE_FORMAT, e.problem());
        assertTrue(e.getMessage(), e.getMessage().contains("message_stop"));
    }

    @Test
    public void aBaseUrlEndingInV1WorksToo() throws Exception {
        server.enqueue(json(200, WHOLE));
        server.enqueue(json(200, "{\"data\":[{\"type\":\"model\",\"id\":\"claude-sonnet-4-5-20250929\",\"display_name\":"
                + "\"Claude Sonnet 4.5\",\"created_at\":\"2025-09-29T00:00:00Z\"},{\"type\":\"model\",\"id\":"
                + "\"claude-haiku-4-5\"}],\"has_more\":false,\"first_id\":\"a\",\"last_id\":\"b\"}"));
        AnthropicProvider p = provider("baseUrl", server.url("/v1/").toString());
        p.chat(ChatRequest.of("claude-sonnet-4-5", "hi"));
        assertEquals("/v1/messages", server.takeRequest().getUrl().encodedPath());
        List<ModelInfo> models = p.listRemoteModels();
        RecordedRequest list = server.takeRequest();
        assertEquals("GET", list.getMethod());
        assertEquals("/v1/models", list.getUrl().encodedPath());
        assertEquals(KEY, list.getHeaders().get("x-api-key"));
        assertEquals("2023-06-01", list.getHeaders().get("anthropic-version"));
        assertEquals("claude-sonnet-4-5-20250929", models.get(0).id());
        assertEquals("Claude Sonnet 4.5", models.get(0).displayName());
        assertEquals("claude-haiku-4-5", models.get(1).id());
    }

    @Test
    public void whatCannotBeExpressedIsRefusedBeforeSending() throws Exception {
        Recorder rec = new Recorder();
        provider().stream(fromClient("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"logit_bias\":{\"1\":2}}"), rec);
        ProviderException e = rec.error();
        assertEquals(Problem.BAD_REQUEST, e.problem());
        assertTrue(e.getMessage(), e.getMessage().contains("logit_bias"));
        assertEquals(0, server.getRequestCount());
    }

    @Test
    public void withoutAKeyNothingIsSentAndTheEnvironmentVariableIsNamed() throws Exception {
        keys.clear();
        AnthropicProvider p = provider("baseUrl", "https://api.anthropic.invalid");
        assertEquals(KeyState.MISSING, p.info().keyState());
        try {
            p.chat(ChatRequest.of("claude-sonnet-4-5", "hi"));
            fail();
        } catch (ProviderException e) {
            assertEquals(Problem.NOT_READY, e.problem());
            assertTrue(e.getMessage(), e.getMessage().contains("ANTHROPIC_API_KEY"));
        }
        env.put("ANTHROPIC_API_KEY", KEY);
        assertEquals(KeyState.PRESENT, p.info().keyState());
    }

    @Test
    public void theKeyOfTheEnvironmentIsSentWhenNoneIsStored() throws Exception {
        keys.clear();
        env.put("MY_CLAUDE_KEY", "sk-ant-from-env-0123456789");
        server.enqueue(json(200, WHOLE));
        provider("apiKeyEnv", "MY_CLAUDE_KEY").chat(ChatRequest.of("claude-sonnet-4-5", "hi"));
        assertEquals("sk-ant-from-env-0123456789", server.takeRequest().getHeaders().get("x-api-key"));
    }

    @Test
    public void plainHttpToAnotherMachineIsRefusedUnlessAllowed() throws Exception {
        AnthropicProvider p = provider("baseUrl", "http://claude.example.com");
        Recorder rec = new Recorder();
        p.stream(ChatRequest.of("claude-sonnet-4-5", "hi"), rec);
        ProviderException e = rec.error();
        assertEquals(Problem.NOT_READY, e.problem());
        assertTrue(e.getMessage(), e.getMessage().contains("plain http://"));
        assertEquals(dev.moryflow.provider.Transport.INSECURE_ALLOWED,
                provider("baseUrl", "http://claude.example.com", "allowInsecure", "true").info().transport());
    }

    @Test
    public void cancellingAStreamStopsTheListener() throws Exception {
        server.enqueue(sse("tool-use.sse").newBuilder().throttleBody(64, 50, TimeUnit.MILLISECONDS).build());
        Recorder rec = new Recorder();
        dev.moryflow.provider.StreamHandle h = provider().stream(ChatRequest.of("claude-sonnet-4-5", "hi"), rec);
        h.cancel();
        assertTrue(h.isDone());
        assertFalse(rec.end.isDone());
    }

    @Test
    public void aProviderGoingAwayEndsItsRunningStreamsWithAnErrorSayingSo() throws Exception {
        server.enqueue(sse("tool-use.sse").newBuilder().throttleBody(16, 200, TimeUnit.MILLISECONDS).build());
        AnthropicProvider p = provider();
        Recorder rec = new Recorder();
        p.stream(ChatRequest.of("claude-sonnet-4-5", "hi"), rec);
        server.takeRequest();
        assertEquals(1, p.running());
        p.close("its bundle was stopped");
        ProviderException e = rec.error();
        assertEquals(Problem.NOT_READY, e.problem());
        assertTrue(e.getMessage(), e.getMessage().contains("provider 'claude' was removed while this chat was running "
                + "(its bundle was stopped)"));
        assertEquals(0, p.running());
    }

    @Test
    public void endedCallsAreForgotten() throws Exception {
        server.enqueue(json(200, WHOLE));
        server.enqueue(sse("thinking.sse"));
        AnthropicProvider p = provider();
        p.chat(ChatRequest.of("claude-sonnet-4-5", "hi"));
        Recorder rec = new Recorder();
        p.stream(ChatRequest.of("claude-sonnet-4-5", "hi"), rec);
        rec.response();
        assertEquals(0, p.running());
    }
}
