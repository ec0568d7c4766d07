package dev.moryflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.event.Event;

import dev.moryflow.chat.ChatService;
import dev.moryflow.chat.Route;
import dev.moryflow.events.Topics;
import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;

/** Chats routed by model name through the real bundles (and the gateway, for a stream) to a fake upstream on 127.0.0.1. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ChatRoutingIT extends HubTestSupport {

    private static final String TOKEN = "mf-itest-routing-token-0123456789";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private FakeUpstream upstream;
    private FakeUpstream other;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return hub(newWorkDir("routing"), gateway(freePort()));
    }

    @Before
    public void startUpstreams() throws Exception {
        upstream = new FakeUpstream();
        other = new FakeUpstream();
    }

    @After
    public void stopUpstreams() throws Exception {
        deleteProviders();
        upstream.close();
        other.close();
    }

    @Test
    public void bareModelIdReachesTheOneProviderThatListsItWithTheRightRequest() throws Exception {
        provider("local", "name", "Local", "baseUrl", upstream.baseUrl(), "models",
                new String[] { "qwen-7b", "llama-8b" }, "headers", new String[] { "X-Team: research" });
        awaitProvider("local");
        ChatService chat = chatService();
        try (EventRecorder events = new EventRecorder()) {
            ChatResponse r = chat.chat(ChatRequest.builder("qwen-7b")
                    .message(dev.moryflow.provider.ChatMessage.system("be brief"))
                    .message(dev.moryflow.provider.ChatMessage.user("hello")).temperature(0.2).build());
            assertEquals("Hello from qwen-7b", r.content());
            assertEquals("local", r.providerId());
            assertEquals(8, r.usage().totalTokens());

            FakeUpstream.Received req = upstream.take();
            assertEquals("POST", req.method);
            assertEquals("/v1/chat/completions", req.path);
            assertTrue(req.header("content-type"), req.header("content-type").startsWith("application/json"));
            assertEquals("research", req.header("x-team"));
            assertNull("no key for a local provider", req.header("authorization"));
            assertEquals("qwen-7b", Json.field(req.body, "model"));
            assertTrue(req.body, req.body.contains("\"role\":\"system\""));
            assertTrue(req.body, req.body.contains("\"content\":\"hello\""));
            assertTrue(req.body, req.body.contains("\"temperature\":0.2"));
            assertTrue(req.body, !req.body.contains("\"stream\":true"));

            Event completed = events.await(Topics.CHAT_COMPLETED, "local");
            assertEquals("qwen-7b", completed.getProperty("model"));
            assertEquals(8, completed.getProperty("tokens.total"));
        }
    }

    /**
     * Through the real gateway ({@code /v1}, Jetty): the upstream sends each event only after the HTTP client has
     * received the one before, so the whole answer arrives only if every chunk is passed on as it comes.
     */
    @Test
    public void qualifiedModelStreamsChunksAsTheyArrive() throws Exception {
        gatewayToken(TOKEN);
        provider("alpha", "name", "Alpha", "baseUrl", upstream.baseUrl(), "models", new String[] { "shared" });
        provider("beta", "name", "Beta", "baseUrl", other.baseUrl(), "models", new String[] { "shared" });
        awaitProvider("alpha");
        awaitProvider("beta");
        Semaphore delivered = new Semaphore(0);
        List<String> sent = new CopyOnWriteArrayList<>();
        other.script(r -> {
            FakeUpstream.Reply reply = FakeUpstream.defaultReply(r);
            sent.addAll(reply.events);
            return FakeUpstream.Reply.ssePaced(reply.events, delivered);
        });
        awaitCondition("the gateway does not serve /v1", this::gatewayServes);
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(gatewayBase()
                + "/v1/chat/completions")).timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"model\":\"beta/shared\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                                + "\"messages\":[{\"role\":\"user\",\"content\":\"stream please\"}]}")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertEquals("beta", r.headers().firstValue("X-MoryFlow-Provider").orElse(null));
        List<String> received = new ArrayList<>();
        try (BufferedReader events = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line = events.readLine(); line != null; line = events.readLine()) {
                if (line.startsWith("data: ")) {
                    received.add(line.substring("data: ".length()));
                    delivered.release(); // the upstream may send the next event now
                }
            }
        }
        assertEquals("every event, each received before the upstream sent the next",
                sent.stream().map(e -> e.replace("\"model\":\"shared\"", "\"model\":\"beta/shared\"")).toList(),
                received);
        assertTrue(received.toString(), received.size() >= 4);

        FakeUpstream.Received req = other.take();
        assertEquals("/v1/chat/completions", req.path);
        assertTrue(req.body, req.body.contains("\"stream\":true"));
        assertEquals("shared", Json.field(req.body, "model"));
        assertTrue("alpha got nothing", upstream.all().isEmpty());
    }

    private boolean gatewayServes() throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(gatewayBase() + "/v1/models"))
                    .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode() == 200;
        } catch (java.io.IOException notYet) {
            return false;
        }
    }

    @Test
    public void bareIdListedByTwoProvidersGoesToTheHigherRanking() throws Exception {
        provider("low", "name", "Low", "baseUrl", upstream.baseUrl(), "models", new String[] { "dup-model" });
        provider("high", "name", "High", "baseUrl", other.baseUrl(), "models", new String[] { "dup-model" },
                "service.ranking", 10);
        awaitProvider("low");
        awaitProvider("high");
        Route route = chatService().resolve("dup-model");
        assertEquals("high", route.target().providerId());
        assertEquals("low", route.alternatives().get(0).providerId());
        assertEquals("high", chatService().chat(ChatRequest.of("dup-model", "hi")).providerId());
        other.take();
    }

    @Test
    public void azureDialectUsesTheDeploymentUrlApiVersionAndApiKeyHeader() throws Exception {
        provider("azure", "name", "Azure OpenAI", "baseUrl",
                upstream.origin() + "/openai/deployments/gpt4o-prod", "dialect", "azure", "apiVersion",
                "2024-06-01", "models", new String[] { "gpt-4o" }, "apiKey", "azure-test-key-123");
        awaitProvider("azure");
        awaitKeyStored("azure");
        assertEquals("Hello from gpt-4o", chatService().chat(ChatRequest.of("azure/gpt-4o", "hi")).content());
        FakeUpstream.Received req = upstream.take();
        assertEquals("/openai/deployments/gpt4o-prod/chat/completions", req.path);
        assertEquals("api-version=2024-06-01", req.query);
        assertEquals("azure-test-key-123", req.header("api-key"));
        assertNull("Azure takes api-key, not Authorization", req.header("authorization"));
    }

    @Test
    public void unknownModelFailsWithCloseMatchesAndSendsNothing() throws Exception {
        provider("groq", "name", "Groq", "baseUrl", upstream.baseUrl(), "models",
                new String[] { "llama-3.1-70b-versatile", "mixtral-8x7b-32768" }, "apiKey", "gsk-abcdefgh");
        awaitProvider("groq");
        try {
            chatService().chat(ChatRequest.of("llama-3.1-70b-versatle", "hi"));
            fail("an unknown model was routed");
        } catch (ProviderException e) {
            assertEquals(Problem.MODEL_NOT_FOUND, e.problem());
            assertTrue(e.hint(), e.hint().contains("llama-3.1-70b-versatile"));
        }
        assertTrue(upstream.all().isEmpty());
    }

    @Test
    public void upstreamErrorBecomesAProblemWithTheUpstreamsMessage() throws Exception {
        provider("erring", "name", "Erring", "baseUrl", upstream.baseUrl(), "models", new String[] { "m1" });
        awaitProvider("erring");
        upstream.script(r -> FakeUpstream.Reply.json(404, "{\"error\":{\"message\":\"The model `m1` does not "
                + "exist\",\"type\":\"invalid_request_error\",\"code\":\"model_not_found\"}}"));
        try {
            chatService().chat(ChatRequest.of("erring/m1", "hi"));
            fail();
        } catch (ProviderException e) {
            assertEquals(e.describe(), Problem.MODEL_NOT_FOUND, e.problem());
            assertEquals(e.describe(), 404, e.httpStatus());
            assertEquals("erring", e.providerId());
            assertTrue(e.getMessage(), e.getMessage().contains("does not exist"));
        }
        upstream.script(r -> FakeUpstream.Reply.json(200, "<html><body>Welcome</body></html>"));
        try {
            chatService().chat(ChatRequest.of("erring/m1", "hi"));
            fail();
        } catch (ProviderException e) {
            assertEquals(Problem.RESPONSE_FORMAT, e.problem());
        }
    }
}
