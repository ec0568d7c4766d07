package dev.moryflow.provider.openai.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import dev.moryflow.provider.ChatChunk;
import dev.moryflow.provider.ChatMessage;
import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.Usage;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/** A request carrying the client's own body goes upstream as those bytes; answers carry the upstream's JSON. */
public class OpenAiPassThroughTest {

    private static final String CLIENT_BODY = "{ \"model\" : \"groq/llama\",\n \"messages\":[{\"role\":\"user\","
            + "\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:x\",\"detail\":\"high\"}}],"
            + "\"model\":\"nested\"}], \"max_completion_tokens\": 1.0e2, \"logit_bias\":{\"50256\":-100},"
            + " \"vendor_x\":{\"a\":[1,2.50]} }";

    private MockWebServer server;
    private final Map<String, String> env = new HashMap<>();

    @Before
    public void setUp() throws IOException {
        server = new MockWebServer();
        server.start();
    }

    @After
    public void tearDown() {
        server.close();
    }

    private OpenAiProvider provider() throws InvalidConfigurationException {
        Map<String, Object> m = ProviderConfigTest.cfg("local");
        m.putIfAbsent("baseUrl", server.url("/v1/").toString());
        return new OpenAiProvider(new Fakes.Store(), new Fakes.Http(), env::get, new OpenAiCodec(),
                ProviderConfig.parse(m));
    }

    private static ChatRequest clientRequest(String body) {
        // as the chat service hands it on: the provider's own model id, the client's bytes
        return ChatRequest.builder("llama-3.3-70b").message(ChatMessage.user("x"))
                .raw(body.getBytes(StandardCharsets.UTF_8)).build();
    }

    private RecordedRequest taken() throws InterruptedException {
        RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
        assertNotNull("no request reached the server", r);
        return r;
    }

    private static String exceptModel(String body) {
        return body.replace("\"groq/llama\"", "\"llama-3.3-70b\"");
    }

    @Test
    public void wholeRequestSendsTheClientsBytesWithOnlyTheModelReplaced() throws Exception {
        String answer = "{\"id\":\"up-1\",\"created\":17,\"model\":\"llama-up\",\"system_fingerprint\":\"fp\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\","
                + "\"refusal\":null},\"logprobs\":{\"content\":[]},\"finish_reason\":\"stop\"}],"
                + "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":2}}}";
        server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "application/json").body(answer).build());
        ChatResponse r = provider().chat(clientRequest(CLIENT_BODY));
        assertEquals(exceptModel(CLIENT_BODY), taken().getBody().utf8());
        assertEquals(answer, new String(r.raw(), StandardCharsets.UTF_8));
        assertEquals("ok", r.content());
        assertEquals(new Usage(3, 1, 4), r.usage());
    }

    @Test
    public void requestBuiltByTheHubIsWrittenAsBeforeAndCarriesNoClientBytes() throws Exception {
        server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "application/json")
                .body("{\"choices\":[{\"message\":{\"content\":\"ok\"}}]}").build());
        provider().chat(ChatRequest.of("m", "hi"));
        assertEquals("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                taken().getBody().utf8());
    }

    private static final String STREAM = "data: {\"id\":\"up-2\",\"model\":\"llama-up\",\"choices\":[{\"index\":0,"
            + "\"delta\":{\"role\":\"assistant\"},\"logprobs\":null}]}\n\n"
            + "data: {\"id\":\"up-2\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":"
            + "\"stop\"}],\"x_groq\":{\"id\":\"req_1\"}}\n\n"
            + "data: {\"id\":\"up-2\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":2,"
            + "\"total_tokens\":7}}\n\n"
            + "data: [DONE]\n\n";

    private Fakes.Listener stream(String body) throws Exception {
        server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream").body(STREAM)
                .build());
        Fakes.Listener l = new Fakes.Listener();
        provider().stream(clientRequest(body), l);
        l.awaitEnd();
        return l;
    }

    private static List<String> raws(Fakes.Listener l) {
        List<String> out = new ArrayList<>();
        for (ChatChunk c : l.chunks) {
            out.add(c.raw() == null ? null : new String(c.raw(), StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    public void streamWithoutStreamOptionsAsksForUsageAndHidesTheUsageOnlyChunk() throws Exception {
        String body = "{\"model\":\"groq/llama\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"stream\":true}";
        Fakes.Listener l = stream(body);
        assertEquals("{\"model\":\"llama-3.3-70b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"stream\":true,\"stream_options\":{\"include_usage\":true}}", taken().getBody().utf8());
        // the role-only first event is handed on too (for its raw JSON); the usage-only one is not
        assertEquals(List.of(STREAM.split("\n\n")[0].substring(6), STREAM.split("\n\n")[1].substring(6)),
                raws(l));
        assertEquals(new Usage(5, 2, 7), l.response.usage());
        assertNull(l.response.raw());
    }

    @Test
    public void streamWithIncludeUsageFalseIsSetTrueAndTheUsageChunkStaysWithTheHub() throws Exception {
        String body = "{\"model\":\"groq/llama\",\"stream\":true,\"stream_options\":{\"include_usage\":false},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        Fakes.Listener l = stream(body);
        assertEquals(exceptModel(body).replace("false", "true"), taken().getBody().utf8());
        assertEquals(2, l.chunks.size());
        assertEquals(new Usage(5, 2, 7), l.response.usage());
    }

    @Test
    public void streamWhoseClientAskedForUsageIsSentAsWrittenAndKeepsTheUsageChunk() throws Exception {
        String body = "{\"model\":\"groq/llama\",\"stream\":true,\"stream_options\":{\"include_usage\": true},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        Fakes.Listener l = stream(body);
        assertEquals(exceptModel(body), taken().getBody().utf8());
        List<String> raws = raws(l);
        assertEquals(3, raws.size());
        assertTrue(raws.get(2).contains("\"usage\""));
        assertFalse(raws.contains(null));
    }

    @Test
    public void aServerRefusingTheHubsStreamOptionsGetsTheClientsRequestAgainAndNeverTheOptionsAfter()
            throws Exception {
        String body = "{\"model\":\"groq/llama\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                + "\"stream\":true}";
        server.enqueue(new MockResponse.Builder().code(400).addHeader("Content-Type", "application/json")
                .body("{\"error\":{\"message\":\"Unrecognized request argument supplied: stream_options\","
                        + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}").build());
        for (int i = 0; i < 2; i++) {
            server.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream").body(STREAM)
                    .build());
        }
        OpenAiProvider p = provider();
        Fakes.Listener first = new Fakes.Listener();
        p.stream(clientRequest(body), first);
        first.awaitEnd();
        assertNull("the client saw no failure: " + first.error, first.error);
        assertTrue(taken().getBody().utf8().contains("\"include_usage\":true"));
        assertEquals("sent again as the client sent it", exceptModel(body), taken().getBody().utf8());
        assertEquals(3, first.chunks.size()); // the usage chunk came unasked: it is the client's now
        Fakes.Listener next = new Fakes.Listener();
        p.stream(clientRequest(body), next);
        next.awaitEnd();
        assertEquals("the provider no longer adds it", exceptModel(body), taken().getBody().utf8());
    }
}
