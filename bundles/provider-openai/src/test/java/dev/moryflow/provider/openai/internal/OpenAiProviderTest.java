package dev.moryflow.provider.openai.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import dev.moryflow.provider.ChatMessage;
import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.ContentPart;
import dev.moryflow.provider.KeyState;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;
import dev.moryflow.provider.StreamHandle;
import dev.moryflow.provider.Usage;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.BufferedSink;

public class OpenAiProviderTest {

    private static final String KEY = "sk-live-0123456789abcdefSECRET";

    private MockWebServer server;
    private Fakes.Store store;
    private Fakes.Http http;
    private final Map<String, String> env = new HashMap<>();

    @Before
    public void setUp() throws IOException {
        server = new MockWebServer();
        server.start();
        store = new Fakes.Store();
        http = new Fakes.Http();
    }

    @After
    public void tearDown() {
        server.close();
    }

    private OpenAiProvider provider(String id, Object... kv) throws InvalidConfigurationException {
        Map<String, Object> m = ProviderConfigTest.cfg(id, kv);
        m.putIfAbsent("baseUrl", server.url("/v1/").toString());
        return new OpenAiProvider(store, http, env::get, new OpenAiCodec(), ProviderConfig.parse(m));
    }

    private static Map<String, Object> ordered(Object... kv) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    private static MockResponse json(int code, String body) {
        return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json").body(body).build();
    }

    private static MockResponse sse(String body) {
        return new MockResponse.Builder().addHeader("Content-Type", "text/event-stream").body(body).build();
    }

    private RecordedRequest taken() throws InterruptedException {
        RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
        assertNotNull("no request reached the server", r);
        return r;
    }

    private static ProviderException chatFails(OpenAiProvider p, ChatRequest r) {
        try {
            p.chat(r);
        } catch (ProviderException e) {
            return e;
        }
        fail("expected the chat to fail");
        return null;
    }

    private static final String ANSWER = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-2024\","
            + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello!\","
            + "\"reasoning_content\":\"thinking\"},\"finish_reason\":\"stop\"}],"
            + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12},\"system_fingerprint\":\"x\"}";

    // ------------------------------------------------------------------------------------------------ requests

    @Test
    public void openAiRequestCarriesPathBearerKeyAndTheWholeRequestBody() throws Exception {
        store.with("acme", KEY);
        server.enqueue(json(200, ANSWER));
        ChatRequest request = ChatRequest.builder("gpt-4o")
                .message(ChatMessage.system("Be brief."))
                .message(new ChatMessage("user", null, List.of(ContentPart.text("What is this?"),
                        ContentPart.image("data:image/png;base64,AAA")), "ann", null, null))
                .message(new ChatMessage("assistant", null, null, null, null, Map.of("tool_calls",
                        List.of(ordered("id", "call_1", "type", "function")))))
                .message(new ChatMessage("tool", "42", null, null, "call_1", null))
                .temperature(0.7).topP(1.0).maxTokens(100).stop(List.of("END"))
                .extra("response_format", ordered("type", "json_object")).extra("seed", 7).extra("stream", true)
                .build();
        provider("acme").chat(request);
        RecordedRequest r = taken();
        assertEquals("POST", r.getMethod());
        assertEquals("/v1/chat/completions", r.getTarget());
        assertEquals("Bearer " + KEY, r.getHeaders().get("Authorization"));
        assertEquals("application/json", r.getHeaders().get("Content-Type"));
        assertEquals("{\"model\":\"gpt-4o\",\"messages\":["
                + "{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"What is this?\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,AAA\"}}],\"name\":\"ann\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_1\",\"type\":\"function\"}]},"
                + "{\"role\":\"tool\",\"content\":\"42\",\"tool_call_id\":\"call_1\"}],"
                + "\"temperature\":0.7,\"top_p\":1.0,\"max_tokens\":100,\"stop\":[\"END\"],"
                + "\"response_format\":{\"type\":\"json_object\"},\"seed\":7}", r.getBody().utf8());
    }

    @Test
    public void streamRequestAsksForUsage() throws Exception {
        server.enqueue(sse("data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"));
        provider("local").stream(ChatRequest.of("m", "hi"), new Fakes.Listener()).isDone();
        RecordedRequest r = taken();
        assertEquals("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true}}", r.getBody().utf8());
        assertEquals("text/event-stream", r.getHeaders().get("Accept"));
    }

    @Test
    public void azureRequestUsesApiVersionAndApiKeyHeader() throws Exception {
        store.with("az", KEY);
        server.enqueue(json(200, ANSWER));
        provider("az", "dialect", "azure", "apiVersion", "2024-10-21", "baseUrl",
                server.url("/openai/deployments/gpt4o/").toString()).chat(ChatRequest.of("gpt4o", "hi"));
        RecordedRequest r = taken();
        assertEquals("/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21", r.getTarget());
        assertEquals(KEY, r.getHeaders().get("api-key"));
        assertNull(r.getHeaders().get("Authorization"));
    }

    @Test
    public void customHeadersAreSentWithEveryRequest() throws Exception {
        server.enqueue(json(200, ANSWER));
        server.enqueue(json(200, "{\"data\":[]}"));
        OpenAiProvider p = provider("h", "headers", new String[] { "X-Team: research", "HTTP-Referer: moryflow" });
        p.chat(ChatRequest.of("m", "hi"));
        p.listRemoteModels();
        for (int i = 0; i < 2; i++) {
            RecordedRequest r = taken();
            assertEquals("research", r.getHeaders().get("X-Team"));
            assertEquals("moryflow", r.getHeaders().get("HTTP-Referer"));
        }
    }

    @Test
    public void localProviderWithoutKeySendsNoAuthorizationHeader() throws Exception {
        server.enqueue(json(200, ANSWER));
        OpenAiProvider p = provider("lmstudio");
        assertEquals(KeyState.NOT_REQUIRED, p.info().keyState());
        p.chat(ChatRequest.of("local-model", "hi"));
        RecordedRequest r = taken();
        assertNull(r.getHeaders().get("Authorization"));
        assertNull(r.getHeaders().get("api-key"));
    }

    @Test
    public void missingKeyIsRefusedBeforeAnyRequest() throws Exception {
        OpenAiProvider p = provider("groq", "baseUrl", "https://api.groq.invalid/openai/v1", "apiKeyEnv",
                "GROQ_API_KEY");
        assertEquals(KeyState.MISSING, p.info().keyState());
        ProviderException e = chatFails(p, ChatRequest.of("m", "hi"));
        assertEquals(Problem.NOT_READY, e.problem());
        assertEquals("provider groq has no API key (the environment variable GROQ_API_KEY named by apiKeyEnv is "
                + "not set)", e.getMessage());
        assertTrue(e.hint(), e.hint().contains("moryflow:key-set groq") && e.hint().contains("Web Console")
                && e.hint().contains("GROQ_API_KEY"));
        assertEquals("groq", e.providerId());

        Fakes.Listener l = new Fakes.Listener();
        StreamHandle h = p.stream(ChatRequest.of("m", "hi"), l);
        l.awaitEnd();
        assertEquals(List.of("error"), l.calls);
        assertEquals(Problem.NOT_READY, l.error.problem());
        assertTrue("reported on the HTTP client's thread, not the caller's", !l.thread.equals(
                Thread.currentThread().getName()));
        assertTrue(h.isDone());
        assertEquals(0, server.getRequestCount());
    }

    @Test
    public void aPresetWithoutAKeySaysHowToSetOneWithoutEditingAnyFile() throws Exception {
        OpenAiProvider p = provider("deepseek", "baseUrl", "https://api.deepseek.invalid/v1", "apiKeyEnv",
                "DEEPSEEK_API_KEY", "preset", "deepseek");
        ProviderException e = chatFails(p, ChatRequest.of("deepseek-chat", "hi"));
        assertEquals(Problem.NOT_READY, e.problem());
        assertTrue(e.hint(), e.hint().startsWith("Export DEEPSEEK_API_KEY before starting the hub")
                && e.hint().contains("moryflow:key-set deepseek") && e.hint().contains("PUT /api/providers/deepseek/key")
                && !e.hint().contains("deploy/"));
        assertEquals(0, server.getRequestCount());
    }

    @Test
    public void anEnvironmentKeyIsSentOnlyToTheOriginItWasFirstUsedFor() throws Exception {
        env.put("MOVED_KEY", "sk-env-key-bound-to-its-first-origin");
        server.enqueue(json(200, "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"ok\"}}]}"));
        OpenAiProvider p = provider("envy", "apiKeyEnv", "MOVED_KEY");
        p.chat(ChatRequest.of("m", "hi"));
        assertEquals("Bearer sk-env-key-bound-to-its-first-origin", server.takeRequest().getHeaders()
                .get("Authorization"));
        assertEquals(server.url("/").toString().replaceAll("/$", ""), store.external.get("envy"));

        // the same configuration pointing at another origin (another port of this machine)
        MockWebServer other = new MockWebServer();
        other.start();
        try {
            OpenAiProvider moved = provider("envy", "apiKeyEnv", "MOVED_KEY", "baseUrl", other.url("/v1/").toString());
            assertEquals(KeyState.HELD, moved.info().keyState());
            ProviderException e = chatFails(moved, ChatRequest.of("m", "hi"));
            assertEquals(Problem.NOT_READY, e.problem());
            assertTrue(e.getMessage(), e.getMessage().contains("held"));
            assertFalse(e.getMessage().contains("sk-env-key"));
            assertEquals("nothing reached the new origin", 0, other.getRequestCount());
        } finally {
            other.close();
        }
    }

    @Test
    public void plainHttpToAnotherMachineIsRefusedBeforeAnythingIsSent() throws Exception {
        // TEST-NET-1 (RFC 5737): nothing answers there, so a request that was tried would not come back at once
        OpenAiProvider p = provider("lab", "baseUrl", "http://192.0.2.10:8000/v1", "apiKeyEnv", "LAB_KEY");
        env.put("LAB_KEY", "sk-lab-key-must-not-travel");
        assertEquals(dev.moryflow.provider.Transport.INSECURE_REFUSED, p.info().transport());
        ProviderException e = chatFails(p, ChatRequest.of("m", "hi"));
        assertEquals(Problem.NOT_READY, e.problem());
        assertTrue(e.getMessage(), e.getMessage().contains("plain http:// to another machine"));
        assertTrue(e.hint(), e.hint().contains("allowInsecure = true"));
        assertFalse(e.getMessage().contains("sk-lab-key"));
        try {
            p.listRemoteModels();
            fail("listed remote models over plain http");
        } catch (ProviderException expected) {
            assertEquals(Problem.NOT_READY, expected.problem());
        }
        Fakes.Listener l = new Fakes.Listener();
        p.stream(ChatRequest.of("m", "hi"), l);
        assertEquals(Problem.NOT_READY, l.awaitEnd().error.problem());
    }

    @Test
    public void keyFromTheEnvironmentIsUsedWhenTheStoreHasNone() throws Exception {
        env.put("ACME_KEY", " from-env-key-123\n");
        server.enqueue(json(200, ANSWER));
        server.enqueue(json(200, ANSWER));
        OpenAiProvider p = provider("acme", "apiKeyEnv", "ACME_KEY");
        assertEquals(KeyState.PRESENT, p.info().keyState());
        p.chat(ChatRequest.of("m", "hi"));
        assertEquals("Bearer from-env-key-123", taken().getHeaders().get("Authorization"));
        store.with("acme", KEY);
        p.chat(ChatRequest.of("m", "hi"));
        assertEquals("the stored key comes first", "Bearer " + KEY, taken().getHeaders().get("Authorization"));
        for (char[] handedOut : store.handedOut) {
            assertTrue("key wiped after use", new String(handedOut).chars().allMatch(c -> c == 0));
        }
    }

    @Test
    public void keyWithInvisibleCharactersIsRefusedWithoutShowingIt() throws Exception {
        store.with("acme", "sk-abc def-0123456789");
        ProviderException e = chatFails(provider("acme"), ChatRequest.of("m", "hi"));
        assertEquals(Problem.NOT_READY, e.problem());
        assertFalse(e.getMessage().contains("sk-abc"));
        assertEquals(0, server.getRequestCount());
    }

    @Test
    public void storedKeyMakesTheKeyPresent() throws Exception {
        store.with("remote", KEY);
        assertEquals(KeyState.PRESENT, provider("remote", "baseUrl", "https://api.example.com/v1").info().keyState());
        assertEquals("https://api.example.com/v1", provider("remote", "baseUrl", "https://api.example.com/v1/")
                .info().baseUrl());
    }

    @Test
    public void providerTimeoutUsesADerivedClient() throws Exception {
        server.enqueue(json(200, ANSWER));
        provider("slow", "timeoutSeconds", 600).chat(ChatRequest.of("m", "hi"));
        assertEquals(List.of(Duration.ofSeconds(600)), http.asked);
    }

    // ------------------------------------------------------------------------------------------- whole answers

    @Test
    public void wholeAnswerIsParsedWithReasoningAndUsage() throws Exception {
        server.enqueue(json(200, ANSWER));
        ChatResponse r = provider("p").chat(ChatRequest.of("gpt-4o", "hi"));
        assertEquals("chatcmpl-1", r.id());
        assertEquals("gpt-4o-2024", r.model());
        assertEquals("p", r.providerId());
        assertEquals("Hello!", r.content());
        assertEquals("thinking", r.reasoning());
        assertEquals("stop", r.finishReason());
        assertEquals(new Usage(9, 3, 12), r.usage());
    }

    @Test
    public void toolCallsOfAWholeAnswerAreReturned() throws Exception {
        server.enqueue(json(200, "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":null,"
                + "\"tool_calls\":[{\"id\":\"call_9\",\"type\":\"function\",\"function\":{\"name\":\"weather\","
                + "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},\"finish_reason\":\"tool_calls\"}]}"));
        ChatResponse r = provider("p").chat(ChatRequest.of("m", "weather?"));
        assertEquals("", r.content());
        assertEquals(1, r.toolCalls().size());
        assertEquals("call_9", r.toolCalls().get(0).get("id"));
        assertEquals(Map.of("name", "weather", "arguments", "{\"city\":\"Paris\"}"),
                r.toolCalls().get(0).get("function"));
    }

    @Test
    public void answerMissingOptionalPartsIsAccepted() throws Exception {
        server.enqueue(json(200, "{\"choices\":[{\"message\":{\"content\":[{\"type\":\"text\",\"text\":\"Hi \"},"
                + "{\"type\":\"text\",\"text\":\"there\"}],\"reasoning\":\"r\",\"annotations\":[]},\"logprobs\":null}],"
                + "\"usage\":null,\"x_groq\":{\"id\":\"q\"}}"));
        ChatResponse r = provider("p").chat(ChatRequest.of("asked-model", "hi"));
        assertNull(r.id());
        assertEquals("asked-model", r.model());
        assertEquals("Hi there", r.content());
        assertEquals("r", r.reasoning());
        assertNull(r.usage());
        assertNull(r.finishReason());
    }

    @Test
    public void htmlAnswerIsResponseFormatNamingContentTypeAndStart() throws Exception {
        server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/html")
                .body("<!DOCTYPE html><html><head><title>Welcome</title></head><body>" + "x".repeat(500)).build());
        ProviderException e = chatFails(provider("p"), ChatRequest.of("m", "hi"));
        assertEquals(Problem.RESPONSE_FORMAT, e.problem());
        assertTrue(e.getMessage(), e.getMessage().startsWith("the answer is not JSON (content type text/html): "
                + "<!DOCTYPE html><html><head><title>Welcome"));
        assertTrue("about 200 characters shown", e.getMessage().length() < 300);
        assertTrue(e.hint(), e.hint().contains("Base URL"));
    }

    @Test
    public void unusableAnswersAreResponseFormatNamingWhatIsMissing() throws Exception {
        String[][] cases = {
                { "{\"id\":\"x\",\"object\":\"chat.completion\"}", "the answer has no \"choices\"" },
                { "{\"choices\":[]}", "the answer's \"choices\" list is empty" },
                { "{\"choices\":[{\"index\":0,\"finish_reason\":\"stop\"}]}",
                        "the answer's first choice has no \"message\"" },
                { "{\"choices\":[{\"message\":", "the answer is not valid JSON" },
                { "", "the answer is not JSON" },
        };
        OpenAiProvider p = provider("p");
        for (String[] c : cases) {
            server.enqueue(json(200, c[0]));
            ProviderException e = chatFails(p, ChatRequest.of("m", "hi"));
            assertEquals(c[0], Problem.RESPONSE_FORMAT, e.problem());
            assertTrue(e.getMessage(), e.getMessage().startsWith(c[1]));
        }
    }

    @Test
    public void errorObjectInsideAnOkAnswerIsMapped() throws Exception {
        server.enqueue(json(200, "{\"error\":{\"message\":\"This model's maximum context length is 4096 tokens\","
                + "\"code\":\"context_length_exceeded\"}}"));
        ProviderException e = chatFails(provider("p"), ChatRequest.of("m", "hi"));
        assertEquals(Problem.CONTEXT_TOO_LONG, e.problem());
        assertEquals("p", e.providerId());
    }

    @Test
    public void upstreamEchoingTheKeyDoesNotLeakIt() throws Exception {
        store.with("p", KEY);
        String echo = "{\"error\":{\"message\":\"Incorrect API key provided: " + KEY + ". Header was: Bearer " + KEY
                + "\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}";
        server.enqueue(json(401, echo));
        ProviderException e = chatFails(provider("p"), ChatRequest.of("m", "hi"));
        assertEquals(Problem.AUTHENTICATION, e.problem());
        assertEquals(401, e.httpStatus());
        assertEquals("invalid_api_key", e.upstreamCode());
        assertFalse(e.describe(), e.describe().contains(KEY));
        assertFalse(e.describe().contains("0123456789abcdef"));

        server.enqueue(json(401, echo));
        Fakes.Listener l = new Fakes.Listener();
        provider("p").stream(ChatRequest.of("m", "hi"), l);
        l.awaitEnd();
        assertEquals(Problem.AUTHENTICATION, l.error.problem());
        assertFalse(l.error.describe().contains(KEY));
    }

    /** Fails naming the first run of 8 consecutive characters of the key found in the text. */
    private static void assertNoRunOfTheKey(String key, String text) {
        for (int i = 0; i + 8 <= key.length(); i++) {
            String run = key.substring(i, i + 8);
            assertFalse("characters " + i + ".." + (i + 8) + " of the key (" + run + ") reached the error: " + text,
                    text.contains(run));
        }
    }

    /** The three partial echoes an upstream may send: without the first 4, without the last 4, a middle run of 8. */
    private static String[] partialEchoes(String key) {
        return new String[] { key.substring(4), key.substring(0, key.length() - 4),
                key.substring(key.length() / 2 - 4, key.length() / 2 + 4) };
    }

    /** A whole and a streamed chat meet a 401 that echoes the text; neither error may hold a run of the key. */
    private void chatAndStreamMeetAnEcho(OpenAiProvider p, String key, String echo) throws Exception {
        String body = "{\"error\":{\"message\":\"Incorrect API key provided: " + echo + "\",\"type\":"
                + "\"invalid_request_error\",\"code\":\"invalid_api_key\"}}";
        server.enqueue(json(401, body));
        ProviderException e = chatFails(p, ChatRequest.of("m", "hi"));
        assertEquals(Problem.AUTHENTICATION, e.problem());
        assertTrue(e.getMessage(), e.getMessage().contains("[redacted]"));
        assertNoRunOfTheKey(key, e.describe());

        server.enqueue(new MockResponse.Builder().code(400).addHeader("Content-Type", "text/plain")
                .body("Bad request. Headers received: api-key: " + echo + "; Authorization: Bearer ***" + echo)
                .build());
        Fakes.Listener l = new Fakes.Listener();
        p.stream(ChatRequest.of("m", "hi"), l);
        l.awaitEnd();
        assertNotNull("the stream did not fail: " + l.calls, l.error);
        assertNoRunOfTheKey(key, l.error.describe());
    }

    @Test
    public void azureKeyEchoedInPartsByTheUpstreamDoesNotReachTheErrors() throws Exception {
        String key = "3f9a0c1b7d2e48f6a5b3c9d0e1f27a84";
        store.with("az", key);
        OpenAiProvider p = provider("az", "dialect", "azure", "apiVersion", "2024-10-21", "baseUrl",
                server.url("/openai/deployments/gpt4o/").toString());
        for (String echo : partialEchoes(key)) {
            chatAndStreamMeetAnEcho(p, key, echo);
        }
        assertEquals("the key was sent in the api-key header", key, taken().getHeaders().get("api-key"));
    }

    @Test
    public void geminiAndPunctuatedKeysEchoedInPartsDoNotReachChatStreamOrModelListErrors() throws Exception {
        for (String key : new String[] { "AIzaSyB4-x9Qk2LmN7pR0sT5vW8yZ1aC3dE6fGh",
                "q7!Rz#4m@Lp%9w^Kx&2v*Tn(8)b_Hs+3j=Yd|" }) {
            store.with("p", key);
            OpenAiProvider p = provider("p");
            for (String echo : partialEchoes(key)) {
                chatAndStreamMeetAnEcho(p, key, echo);
                server.enqueue(json(403, "{\"error\":{\"message\":\"key " + echo + " may not list models\"}}"));
                try {
                    p.listRemoteModels();
                    fail("a 403 was taken for a model list");
                } catch (ProviderException e) {
                    assertEquals(Problem.PERMISSION, e.problem());
                    assertNoRunOfTheKey(key, e.describe());
                }
            }
            assertEquals("Bearer " + key, taken().getHeaders().get("Authorization"));
            server.close();
            server = new MockWebServer();
            server.start();
        }
    }

    @Test
    public void unreachableProviderIsConnectionFailed() throws Exception {
        server.close();
        ProviderException e = chatFails(provider("gone"), ChatRequest.of("m", "hi"));
        assertEquals(Problem.CONNECTION_FAILED, e.problem());
        assertTrue(e.getMessage(), e.getMessage().startsWith("connection refused by "));
        assertEquals("gone", e.providerId());
    }

    // ------------------------------------------------------------------------------------------------- streams

    private static final String STREAM = ": OPENROUTER PROCESSING\n\n"
            + "data: {\"id\":\"c1\",\"model\":\"m-1\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"},"
            + "\"finish_reason\":null}]}\n\n"
            + "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"Let me \"}}]}\n\n"
            + "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"reasoning_content\":\"think.\"}}]}\n\n"
            + "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n"
            + "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo ✓\"}}]}\n\n"
            + "data: {\"id\":\"c1\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
            + "data: {\"id\":\"c1\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,"
            + "\"total_tokens\":7}}\n\n"
            + "data: [DONE]\n\n";

    @Test
    public void streamSplitAcrossTcpWritesIsDeliveredAndAssembled() throws Exception {
        server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream")
                .chunkedBody(STREAM, 7).throttleBody(7, 1, TimeUnit.MILLISECONDS).build());
        Fakes.Listener l = new Fakes.Listener();
        provider("p").stream(ChatRequest.of("m", "hi"), l);
        l.awaitEnd();
        assertEquals(List.of("chunk", "chunk", "chunk", "chunk", "chunk", "chunk", "complete"), l.calls);
        assertEquals("Let me ", l.chunks.get(0).reasoning());
        assertEquals("Hello ✓", l.text());
        assertEquals("stop", l.chunks.get(4).finishReason());
        assertEquals(new Usage(5, 2, 7), l.chunks.get(5).usage());
        ChatResponse r = l.response;
        assertEquals("Hello ✓", r.content());
        assertEquals("Let me think.", r.reasoning());
        assertEquals("stop", r.finishReason());
        assertEquals(new Usage(5, 2, 7), r.usage());
        assertEquals("c1", r.id());
        assertEquals("m-1", r.model());
        assertEquals("p", r.providerId());
    }

    @Test
    public void chatsOverMaxConcurrentAreRefusedAtOnceNamingTheSettingAndAPlaceFreesWhenAChatEnds() throws Exception {
        // the first answer does not come: that chat runs until it is cancelled
        server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream").body(STREAM)
                .headersDelay(30, TimeUnit.SECONDS).build());
        server.enqueue(json(200, ANSWER));
        OpenAiProvider p = provider("busy", "maxConcurrent", 1);
        StreamHandle running = p.stream(ChatRequest.of("m", "hi"), new Fakes.Listener());
        server.takeRequest(); // it has reached the upstream, which takes its time
        ProviderException refused = chatFails(p, ChatRequest.of("m", "hi"));
        assertEquals(Problem.RATE_LIMITED, refused.problem());
        assertEquals("1 chats are running through provider 'busy', as many as its maxConcurrent allows",
                refused.getMessage());
        assertTrue(refused.hint(), refused.hint().contains("raise maxConcurrent (0 for no limit)"));
        running.cancel();
        assertEquals("Hello!", p.chat(ChatRequest.of("m", "hi")).content());
        assertEquals("the refused chat was never sent", 2, server.getRequestCount());
    }

    @Test
    public void streamWithoutDoneAfterAFinishReasonCompletes() throws Exception {
        server.enqueue(sse("data: {\"choices\":[{\"delta\":{\"content\":\"ok\"}}]}\r\n\r\n"
                + "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"length\"}]}\r\n\r\n"));
        Fakes.Listener l = new Fakes.Listener();
        provider("p").stream(ChatRequest.of("m", "hi"), l);
        l.awaitEnd();
        assertEquals("length", l.response.finishReason());
        assertEquals("ok", l.response.content());
        assertNull(l.response.usage());
    }

    private Fakes.Listener streamFails(String contentType, String body) throws Exception {
        server.enqueue(new MockResponse.Builder().addHeader("Content-Type", contentType).body(body).build());
        Fakes.Listener l = new Fakes.Listener();
        provider("p").stream(ChatRequest.of("m", "hi"), l);
        l.awaitEnd();
        assertNotNull("expected an error, got " + l.calls, l.error);
        assertEquals(l.calls.size() - 1, l.chunks.size());
        return l;
    }

    @Test
    public void streamCutBeforeTheEndIsResponseFormat() throws Exception {
        Fakes.Listener l = streamFails("text/event-stream", "data: {\"choices\":[{\"delta\":{\"content\":\"par\"}}]}\n\n");
        assertEquals(Problem.RESPONSE_FORMAT, l.error.problem());
        assertEquals("the stream ended before the answer was complete: no [DONE] and no finish_reason after 1 chunks",
                l.error.getMessage());
        assertEquals("par", l.text());
    }

    @Test
    public void streamWithoutDataLinesIsResponseFormat() throws Exception {
        Fakes.Listener l = streamFails("text/plain", "Service temporarily overloaded\n");
        assertEquals(Problem.RESPONSE_FORMAT, l.error.problem());
        assertEquals("the answer has no \"data:\" lines: it is not an event stream (content type text/plain): "
                + "Service temporarily overloaded", l.error.getMessage());
        Fakes.Listener html = streamFails("text/html", "<html><body>Login</body></html>");
        assertTrue(html.error.getMessage(), html.error.getMessage().startsWith("the answer is not an event stream "
                + "(content type text/html): <html>"));
    }

    @Test
    public void streamEventThatIsNotJsonIsResponseFormat() throws Exception {
        Fakes.Listener l = streamFails("text/event-stream", "data: hello there\n\ndata: [DONE]\n\n");
        assertEquals(Problem.RESPONSE_FORMAT, l.error.problem());
        assertTrue(l.error.getMessage(), l.error.getMessage().startsWith("a stream event is not JSON"));
    }

    @Test
    public void errorInsideAStreamIsMapped() throws Exception {
        Fakes.Listener l = streamFails("text/event-stream", "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
                + "data: {\"error\":{\"message\":\"Rate limit exceeded: free-models-per-min\",\"code\":429}}\n\n");
        assertEquals(Problem.RATE_LIMITED, l.error.problem());
        assertEquals("p", l.error.providerId());
        Fakes.Listener event = streamFails("text/event-stream", "event: error\ndata: upstream overloaded\n\n");
        assertEquals(Problem.UPSTREAM_ERROR, event.error.problem());
        assertTrue(event.error.getMessage().endsWith("upstream overloaded"));
    }

    @Test
    public void streamHttpErrorReachesOnError() throws Exception {
        server.enqueue(json(404, "{\"error\":{\"message\":\"The model `nope` does not exist\",\"code\":"
                + "\"model_not_found\"}}"));
        Fakes.Listener l = new Fakes.Listener();
        provider("p").stream(ChatRequest.of("nope", "hi"), l);
        l.awaitEnd();
        assertEquals(List.of("error"), l.calls);
        assertEquals(Problem.MODEL_NOT_FOUND, l.error.problem());
        assertEquals(404, l.error.httpStatus());
    }

    @Test
    public void streamedToolCallsAreAssembled() throws Exception {
        server.enqueue(sse("data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\","
                + "\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":\"\"}}]}}]}\n\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
                + "{\"arguments\":\"{\\\"city\\\":\"}}]}}]}\n\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
                + "{\"arguments\":\"\\\"Oslo\\\"}\"}}]}}]}\n\n"
                + "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\ndata: [DONE]\n\n"));
        Fakes.Listener l = new Fakes.Listener();
        provider("p").stream(ChatRequest.of("m", "hi"), l);
        l.awaitEnd();
        assertEquals(1, l.chunks.get(0).toolCalls().size());
        List<Map<String, Object>> calls = l.response.toolCalls();
        assertEquals(1, calls.size());
        assertEquals("call_1", calls.get(0).get("id"));
        assertEquals("function", calls.get(0).get("type"));
        assertEquals(Map.of("name", "weather", "arguments", "{\"city\":\"Oslo\"}"), calls.get(0).get("function"));
        assertEquals("tool_calls", l.response.finishReason());
    }

    @Test
    public void serverIgnoringStreamStillAnswers() throws Exception {
        server.enqueue(json(200, ANSWER));
        Fakes.Listener l = new Fakes.Listener();
        provider("p").stream(ChatRequest.of("m", "hi"), l);
        l.awaitEnd();
        assertEquals(List.of("chunk", "complete"), l.calls);
        assertEquals("Hello!", l.response.content());
    }

    /** A body that sends its first part, then waits for the test before sending the rest. */
    private static final class GatedBody implements MockResponseBody {
        final byte[] first;
        final byte[] rest;
        final CountDownLatch gate = new CountDownLatch(1);

        GatedBody(String first, String rest) {
            this.first = first.getBytes(StandardCharsets.UTF_8);
            this.rest = rest.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public long getContentLength() {
            return first.length + rest.length;
        }

        @Override
        public void writeTo(BufferedSink sink) throws IOException {
            sink.write(first);
            sink.flush();
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sink.write(rest);
            sink.flush();
        }
    }

    private static final String FIRST = "data: {\"choices\":[{\"delta\":{\"content\":\"early\"}}]}\n\n";
    private static final String REST = "data: {\"choices\":[{\"delta\":{\"content\":\" late\"}}]}\n\n"
            + "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";

    @Test
    public void chunksReachTheListenerBeforeTheStreamEnds() throws Exception {
        GatedBody body = new GatedBody(FIRST, REST);
        server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream").body(body).build());
        Fakes.Listener l = new Fakes.Listener();
        StreamHandle h = provider("p").stream(ChatRequest.of("m", "hi"), l);
        try {
            assertTrue("the first chunk must arrive while the rest is still held back",
                    l.firstChunk.await(10, TimeUnit.SECONDS));
            assertEquals("early", l.text());
            assertFalse(h.isDone());
        } finally {
            body.gate.countDown();
        }
        l.awaitEnd();
        assertEquals("early late", l.response.content());
        assertTrue(h.isDone());
    }

    @Test
    public void cancelStopsTheStreamAndNoListenerCallFollows() throws Exception {
        GatedBody body = new GatedBody(FIRST, REST);
        server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream").body(body).build());
        CountDownLatch idle = new CountDownLatch(1);
        http.base.dispatcher().setIdleCallback(idle::countDown);
        Fakes.Listener l = new Fakes.Listener();
        StreamHandle h = provider("p").stream(ChatRequest.of("m", "hi"), l);
        assertTrue(l.firstChunk.await(10, TimeUnit.SECONDS));
        h.cancel();
        assertTrue(h.isDone());
        body.gate.countDown();
        assertTrue("the call must finish after cancel", idle.await(10, TimeUnit.SECONDS));
        assertEquals(List.of("chunk"), l.calls);
        h.cancel();
        assertEquals(List.of("chunk"), l.calls);
    }

    @Test
    public void closingTheProviderEndsItsRunningCallsWithTheReasonAndLaterCallsFailSo() throws Exception {
        GatedBody body = new GatedBody(FIRST, REST);
        server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream").body(body).build());
        CountDownLatch idle = new CountDownLatch(1);
        http.base.dispatcher().setIdleCallback(idle::countDown);
        OpenAiProvider p = provider("p");
        Fakes.Listener l = new Fakes.Listener();
        StreamHandle h = p.stream(ChatRequest.of("m", "hi"), l);
        assertTrue(l.firstChunk.await(10, TimeUnit.SECONDS));
        assertEquals(1, p.running());
        p.close("its configuration was deleted");
        assertTrue(h.isDone());
        assertEquals(List.of("chunk", "error"), l.calls);
        assertEquals(Problem.NOT_READY, l.error.problem());
        assertEquals("provider 'p' was removed while this chat was running (its configuration was deleted)",
                l.error.getMessage());
        assertEquals(0, p.running());
        body.gate.countDown();
        assertTrue("the upstream call must end after close", idle.await(10, TimeUnit.SECONDS));
        assertEquals("no listener call after the end", List.of("chunk", "error"), l.calls);
        try {
            p.chat(ChatRequest.of("m", "again"));
            fail("a closed provider answered");
        } catch (ProviderException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("was removed while this chat was running"));
        }
        assertEquals("a closed provider sent a request", 1, server.getRequestCount());
    }

    @Test
    public void failingListenerStopsTheStreamWithOneError() throws Exception {
        server.enqueue(sse(STREAM));
        Fakes.Listener l = new Fakes.Listener() {
            @Override
            public void onChunk(dev.moryflow.provider.ChatChunk chunk) {
                super.onChunk(chunk);
                throw new IllegalStateException("client went away");
            }
        };
        provider("p").stream(ChatRequest.of("m", "hi"), l);
        l.awaitEnd();
        assertEquals(List.of("chunk", "error"), l.calls);
        assertEquals(Problem.CANCELLED, l.error.problem());
    }

    // -------------------------------------------------------------------------------------------------- models

    @Test
    public void remoteModelsAreListed() throws Exception {
        store.with("p", KEY);
        server.enqueue(json(200, "{\"object\":\"list\",\"data\":[{\"id\":\"llama-3.1-70b-versatile\",\"object\":"
                + "\"model\",\"owned_by\":\"Meta\",\"context_window\":131072},{\"id\":\"whisper\"}]}"));
        List<ModelInfo> models = provider("p").listRemoteModels();
        RecordedRequest r = taken();
        assertEquals("GET", r.getMethod());
        assertEquals("/v1/models", r.getTarget());
        assertEquals("Bearer " + KEY, r.getHeaders().get("Authorization"));
        assertEquals(2, models.size());
        assertEquals("llama-3.1-70b-versatile", models.get(0).id());
        assertEquals(131072, models.get(0).contextWindow());
        assertEquals("whisper", models.get(1).id());
    }

    @Test
    public void azureModelsAreTheConfiguredOnesWithoutARequest() throws Exception {
        OpenAiProvider p = provider("az", "dialect", "azure", "apiVersion", "2024-10-21", "baseUrl",
                server.url("/openai/deployments/gpt4o").toString());
        assertEquals(List.of(ModelInfo.of("gpt4o")), p.listRemoteModels());
        assertEquals(List.of(ModelInfo.of("gpt4o")), p.models());
        assertEquals(0, server.getRequestCount());
    }
}
