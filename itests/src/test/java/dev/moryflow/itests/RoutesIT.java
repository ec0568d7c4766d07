package dev.moryflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;
import org.osgi.service.event.Event;

import dev.moryflow.chat.ChatService;
import dev.moryflow.chat.Route;
import dev.moryflow.chat.RouteDefinition;
import dev.moryflow.events.Topics;
import dev.moryflow.provider.ChatMessage;
import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.ContentPart;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;

/**
 * Routes ({@code moryflow.route}) through the real bundles, to fake upstreams on 127.0.0.1 scripted to fail: the
 * order of attempts past a refused port, a 500, a 429 asking to wait longer than the route's patience and a timeout
 * before the first chunk; a {@code Retry-After} within it; nothing retried once a chunk went to the client;
 * capability skipping; health going degraded and back; the gateway's headers and listings.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class RoutesIT extends HubTestSupport {

    private static final String TOKEN = "mf-itest-routes-token-0123456789";
    private static final String ROUTE_FACTORY = "moryflow.route";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private FakeUpstream a;
    private FakeUpstream b;
    private FakeUpstream c;
    private final CompletableFuture<Boolean> release = new CompletableFuture<>();

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        return hub(newWorkDir("routes"), gateway(freePort()));
    }

    @Before
    public void startUpstreams() throws Exception {
        a = new FakeUpstream();
        b = new FakeUpstream();
        c = new FakeUpstream();
    }

    @After
    public void stopUpstreams() throws Exception {
        release.complete(true);
        for (String factory : new String[] { ROUTE_FACTORY, "moryflow.model" }) {
            Configuration[] all = configAdmin.listConfigurations("(service.factoryPid=" + factory + ")");
            for (Configuration cfg : all == null ? new Configuration[0] : all) {
                cfg.delete();
            }
        }
        awaitCondition(() -> "routes left: " + chatService().routes(), () -> chatService().routes().isEmpty());
        deleteProviders();
        a.close();
        b.close();
        c.close();
    }

    private void route(String alias, Object... keyValues) throws Exception {
        configAdmin.getFactoryConfiguration(ROUTE_FACTORY, alias, "?").update(props(keyValues));
    }

    private void awaitRoute(String alias) throws Exception {
        awaitCondition(() -> "route " + alias + " is not routable: " + chatService().routes(),
                () -> chatService().routes().stream().anyMatch(r -> r.alias().equals(alias) && r.routable()));
    }

    private void model(String provider, String id, int contextWindow, String... capabilities) throws Exception {
        configAdmin.getFactoryConfiguration("moryflow.model", provider + "_" + id, "?").update(props("provider",
                provider, "id", id, "contextWindow", contextWindow, "capabilities", capabilities));
        awaitCondition("model " + provider + "/" + id + " is not described", () -> chatService().models().stream()
                .anyMatch(m -> m.qualifiedName().equals(provider + "/" + id)
                        && m.model().contextWindow() == contextWindow));
    }

    private static String downUrl() {
        return "http://127.0.0.1:" + freePort() + "/v1"; // nothing listens there: connection refused
    }

    private static List<Event> chatEvents(EventRecorder events, String route) {
        return events.events().stream()
                .filter(e -> e.getTopic().equals(Topics.CHAT_FAILED) || e.getTopic().equals(Topics.CHAT_COMPLETED))
                .filter(e -> route.equals(e.getProperty("route"))).collect(Collectors.toList());
    }

    private static String describe(List<Event> events) {
        return events.stream().map(e -> e.getTopic().substring(e.getTopic().lastIndexOf('/') + 1) + " "
                + e.getProperty("provider.id") + " attempt " + e.getProperty("attempt") + " "
                + e.getProperty("problem")).collect(Collectors.joining("; "));
    }

    @Test
    public void targetsAreTriedInOrderPastARefusedPortA500AndA429AskingTooLongWhichTheNextChatTriesLast() throws Exception {
        provider("down", "baseUrl", downUrl(), "models", new String[] { "m" });
        provider("err", "baseUrl", a.baseUrl(), "models", new String[] { "m" });
        provider("busy", "baseUrl", b.baseUrl(), "models", new String[] { "m" });
        provider("up", "baseUrl", c.baseUrl(), "models", new String[] { "m" });
        for (String id : new String[] { "down", "err", "busy", "up" }) {
            awaitProvider(id);
        }
        a.script(r -> FakeUpstream.errorWithCode(500, "server_error", "server_error", null, "boom"));
        b.script(r -> FakeUpstream.rateLimited(30, 0));
        route("fast", "targets", new String[] { "down/m", "err/m", "busy/m", "up/m" });
        awaitRoute("fast");
        ChatService chat = chatService();
        try (EventRecorder events = new EventRecorder()) {
            long start = System.nanoTime();
            ChatResponse r = chat.chat(ChatRequest.of("fast", "hi"));
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertEquals("up", r.providerId());
            assertEquals("Hello from m", r.content());
            assertTrue("waited " + ms + " ms: a Retry-After of 30 s beyond the route's 5 s was waited for",
                    ms < 20_000);
            awaitCondition(() -> "events: " + describe(chatEvents(events, "fast")),
                    () -> chatEvents(events, "fast").size() == 4);
            assertEquals("FAILED down attempt 1 CONNECTION_FAILED; FAILED err attempt 2 UPSTREAM_ERROR; "
                    + "FAILED busy attempt 3 RATE_LIMITED; COMPLETED up attempt 4 null",
                    describe(chatEvents(events, "fast")));
        }
        assertEquals("the 500 target was tried once", 1, a.all().size());
        assertEquals("the 429 target asking for 30 s was tried once", 1, b.all().size());
        assertEquals("m", Json.field(c.take().body, "model"));

        // the next chat leaves the provider that asked for 30 s alone (tried last, after the one that answers)
        String reason = chat.health("busy").reason();
        assertTrue(reason, chat.health("busy").degraded() && reason.startsWith(
                "rate limited (HTTP 429), asked to wait 30 s (Retry-After), until "));
        assertEquals("up", chat.chat(ChatRequest.of("fast", "hi")).providerId());
        assertEquals("the target that asked for 30 s was asked again within them", 1, b.all().size());
        assertEquals(2, a.all().size());
    }

    @Test
    public void aRetryAfterWithinThePatienceTriesTheSameTargetAgainAndTheGatewayNamesBoth() throws Exception {
        gatewayToken(TOKEN);
        provider("busy", "baseUrl", a.baseUrl(), "models", new String[] { "m" });
        provider("spare", "baseUrl", b.baseUrl(), "models", new String[] { "m" });
        awaitProvider("busy");
        awaitProvider("spare");
        AtomicInteger calls = new AtomicInteger();
        a.script(r -> calls.incrementAndGet() == 1 ? FakeUpstream.rateLimited(1, 0) : FakeUpstream.defaultReply(r));
        route("patient", "targets", "busy/m, spare/m");
        awaitRoute("patient");
        long start = System.nanoTime();
        HttpResponse<String> r = post("{\"model\":\"patient\",\"stream\":true,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}]}");
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals(r.body(), 200, r.statusCode());
        assertEquals("busy", r.headers().firstValue("X-MoryFlow-Provider").orElse(null));
        assertEquals("busy/m, busy/m", r.headers().firstValue("X-MoryFlow-Route-Attempts").orElse(null));
        assertTrue(r.body(), r.body().contains("\"content\":\"Hel\"") && r.body().contains("[DONE]"));
        assertTrue("answered after " + ms + " ms: the Retry-After of 1 s was not waited for", ms >= 900);
        assertEquals(2, a.all().size());
        assertTrue("the spare target got nothing", b.all().isEmpty());
    }

    @Test
    public void aTimeoutBeforeTheFirstChunkMovesOnAndTheStreamNamesTheTargetThatServedIt() throws Exception {
        gatewayToken(TOKEN);
        provider("slow", "baseUrl", a.baseUrl(), "models", new String[] { "m" }, "timeoutSeconds", 1);
        provider("quick", "baseUrl", b.baseUrl(), "models", new String[] { "m" });
        awaitProvider("slow");
        awaitProvider("quick");
        a.script(r -> FakeUpstream.Reply.jsonHeld("{}", release));
        route("brisk", "targets", new String[] { "slow/m", "quick/m" });
        awaitRoute("brisk");
        HttpResponse<String> r = post("{\"model\":\"brisk\",\"stream\":true,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"hi\"}]}");
        assertEquals(r.body(), 200, r.statusCode());
        assertEquals("quick", r.headers().firstValue("X-MoryFlow-Provider").orElse(null));
        assertEquals("slow/m, quick/m", r.headers().firstValue("X-MoryFlow-Route-Attempts").orElse(null));
        assertTrue(r.body(), r.body().contains("\"model\":\"brisk\"") && r.body().contains("[DONE]"));
        assertEquals(1, a.all().size());
        assertEquals(1, b.all().size());

        // a whole answer too, through the hub's own callers
        ChatResponse whole = chatService().chat(ChatRequest.of("brisk", "hi"));
        assertEquals("quick", whole.providerId());
    }

    @Test
    public void nothingIsRetriedOnceAChunkReachedTheClient() throws Exception {
        // the first chunk, then nothing: the provider's timeout (1 s) ends the stream, a failure routes retry on
        provider("broken", "baseUrl", a.baseUrl(), "models", new String[] { "m" }, "timeoutSeconds", 1);
        provider("spare", "baseUrl", b.baseUrl(), "models", new String[] { "m" });
        awaitProvider("broken");
        awaitProvider("spare");
        a.script(r -> FakeUpstream.Reply.ssePaced(List.of("{\"id\":\"s1\",\"object\":\"chat.completion.chunk\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Par\"}}]}",
                "{\"id\":\"s1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":"
                        + "{\"content\":\"tial\"},\"finish_reason\":\"stop\"}]}", "[DONE]"),
                new java.util.concurrent.Semaphore(0)));
        route("once", "targets", new String[] { "broken/m", "spare/m" });
        awaitRoute("once");
        StreamCollector s = new StreamCollector();
        List<String> tried = new ArrayList<>();
        chatService().stream(ChatRequest.of("once", "hi"), new dev.moryflow.provider.ChatStreamListener() {
            @Override
            public void onAttempts(String route, List<String> attempts) {
                tried.addAll(attempts);
            }

            @Override
            public void onChunk(dev.moryflow.provider.ChatChunk chunk) {
                s.onChunk(chunk);
            }

            @Override
            public void onComplete(ChatResponse response) {
                s.onComplete(response);
            }

            @Override
            public void onError(ProviderException error) {
                s.onError(error);
            }
        });
        try {
            s.await();
            fail("a stream that broke after its first chunk completed: " + s.text);
        } catch (ExecutionException e) {
            ProviderException error = (ProviderException) e.getCause();
            assertEquals("broken", error.providerId());
            assertEquals(error.describe(), Problem.TIMEOUT, error.problem());
        }
        assertEquals("Par", s.text.toString());
        assertEquals(List.of("broken/m"), tried);
        assertTrue("the spare target got a request after a chunk had reached the client", b.all().isEmpty());

        // an error event after the first chunk ends the stream there too
        a.script(r -> FakeUpstream.midStreamError("server_error", "the model crashed"));
        StreamCollector again = new StreamCollector();
        chatService().stream(ChatRequest.of("once", "hi"), again);
        try {
            again.await();
            fail("a stream that failed after its first chunk completed: " + again.text);
        } catch (ExecutionException e) {
            assertEquals("broken", ((ProviderException) e.getCause()).providerId());
        }
        assertEquals("Par", again.text.toString());
        assertTrue(b.all().isEmpty());
    }

    @Test
    public void targetsThatCannotTakeTheRequestAreSkippedAndWhenNoneCanTheErrorNamesEach() throws Exception {
        provider("text", "baseUrl", a.baseUrl(), "models", new String[] { "small" });
        provider("eyes", "baseUrl", b.baseUrl(), "models", new String[] { "big" });
        awaitProvider("text");
        awaitProvider("eyes");
        model("text", "small", 1000, "chat");
        model("eyes", "big", 100000, "chat", "vision");
        route("pick", "targets", new String[] { "text/small", "eyes/big" });
        awaitRoute("pick");
        ChatService chat = chatService();

        ChatRequest image = ChatRequest.builder("pick").message(new ChatMessage(ChatMessage.USER, null,
                List.of(ContentPart.text("what is this?"), ContentPart.image("data:image/png;base64,AAAA")), null,
                null, null)).build();
        assertEquals("eyes", chat.chat(image).providerId());
        assertEquals("eyes", chat.chat(ChatRequest.of("pick", "x".repeat(8000))).providerId());
        assertTrue("the text-only model with 1000 tokens got a request it cannot take", a.all().isEmpty());

        ChatRequest tools = ChatRequest.builder("pick").message(ChatMessage.user("call it"))
                .extra("tools", List.of(Map.of("type", "function", "function", Map.of("name", "f")))).build();
        try {
            chat.chat(tools);
            fail("a request no target can take was sent");
        } catch (ProviderException e) {
            assertEquals(e.getMessage(), Problem.BAD_REQUEST, e.problem());
            assertTrue(e.getMessage(), e.getMessage().startsWith("route 'pick': no target can take this request"));
            assertTrue(e.getMessage(), e.getMessage().contains("text/small: model text/small cannot call tools"));
            assertTrue(e.getMessage(), e.getMessage().contains("eyes/big: model eyes/big cannot call tools"));
        }
        assertTrue(a.all().isEmpty());
        assertEquals(2, b.all().size());

        // a context too long from the upstream itself moves on only to a larger window
        a.script(r -> FakeUpstream.errorWithCode(400, "context_length_exceeded", "invalid_request_error",
                "messages", "This model's maximum context length is 1000 tokens"));
        assertEquals("eyes", chat.chat(ChatRequest.of("pick", "hi")).providerId());
        assertEquals(1, a.all().size());
        route("shrink", "targets", new String[] { "eyes/big", "text/small" });
        awaitRoute("shrink");
        b.script(r -> FakeUpstream.errorWithCode(400, "context_length_exceeded", "invalid_request_error",
                "messages", "This model's maximum context length is 100000 tokens"));
        try {
            chat.chat(ChatRequest.of("shrink", "hi"));
            fail("a context too long went on to a smaller window");
        } catch (ProviderException e) {
            assertEquals(e.getMessage(), Problem.CONTEXT_TOO_LONG, e.problem());
            assertTrue(e.getMessage(), e.getMessage().contains("text/small: skipped, its context window (1000) is "
                    + "not larger than 100000"));
        }
        assertEquals("the smaller window got nothing", 1, a.all().size());

        // a bad request is not retried
        b.script(r -> FakeUpstream.errorWithCode(400, "invalid_value", "invalid_request_error", "temperature",
                "temperature is out of range"));
        try {
            chat.chat(ChatRequest.of("shrink", "hi"));
            fail("a bad request was answered");
        } catch (ProviderException e) {
            assertEquals(e.getMessage(), Problem.BAD_REQUEST, e.problem());
            assertEquals("eyes", e.providerId());
        }
        assertEquals("a 400 was retried on the next target", 1, a.all().size());
    }

    @Test
    public void healthGoesDegradedAfterRepeatedFailuresAndRoutingTriesItLastUntilAChatCompletes()
            throws Exception {
        gatewayToken(TOKEN);
        provider("flaky", "baseUrl", a.baseUrl(), "models", new String[] { "m" });
        provider("steady", "baseUrl", b.baseUrl(), "models", new String[] { "m" });
        awaitProvider("flaky");
        awaitProvider("steady");
        a.script(r -> FakeUpstream.errorWithCode(503, "overloaded", "server_error", null, "overloaded"));
        route("h", "targets", new String[] { "flaky/m", "steady/m" });
        awaitRoute("h");
        ChatService chat = chatService();
        try (EventRecorder events = new EventRecorder()) {
            for (int i = 0; i < 3; i++) {
                assertEquals("steady", chat.chat(ChatRequest.of("h", "hi")).providerId());
            }
            Event degraded = events.await(Topics.PROVIDER_HEALTH, "flaky");
            assertEquals("degraded", degraded.getProperty("health"));
            String reason = (String) degraded.getProperty("reason");
            assertTrue(reason, reason.startsWith("3 failures in 60 s"));
            assertTrue(chat.health("flaky").degraded());
            assertFalse(chat.health("steady").degraded());
            String listing = get("/api/providers");
            assertTrue(listing, listing.contains("\"id\":\"flaky\"") && listing.matches(
                    "(?s).*\"id\":\"flaky\".*\"health\":\"degraded\",\"healthReason\":\"3 failures in 60 s.*"));
            assertEquals(3, a.all().size());

            try (EventRecorder later = new EventRecorder()) {
                assertEquals("steady", chat.chat(ChatRequest.of("h", "hi")).providerId());
                assertEquals("a degraded target was tried before a healthy one", 3, a.all().size());
                Event first = later.await(Topics.CHAT_COMPLETED, "steady");
                assertEquals(1, first.getProperty("attempt"));
            }

            // still tried, last: with the healthy one down too, the degraded one is asked
            b.script(r -> FakeUpstream.errorWithCode(500, "server_error", "server_error", null, "boom"));
            a.script(FakeUpstream::defaultReply);
            assertEquals("flaky", chat.chat(ChatRequest.of("h", "hi")).providerId());
            awaitCondition(() -> "health of flaky: " + chat.health("flaky"), () -> !chat.health("flaky").degraded());
            assertTrue(chat.health("flaky").reason(), chat.health("flaky").reason().contains("a chat completed"));
            b.script(FakeUpstream::defaultReply);
        }
    }

    @Test
    public void anAliasMayNotShadowAModelAndEveryListingShowsRoutes() throws Exception {
        gatewayToken(TOKEN);
        provider("p", "baseUrl", a.baseUrl(), "models", new String[] { "fast-model", "m" });
        awaitProvider("p");
        route("fast-model", "targets", new String[] { "p/m" });
        route("good", "targets", new String[] { "p/m", "nobody/m" });
        awaitRoute("good");
        awaitCondition(() -> "routes: " + chatService().routes(), () -> chatService().routes().size() == 2);
        RouteDefinition refused = chatService().routes().stream().filter(r -> r.alias().equals("fast-model"))
                .findFirst().orElseThrow();
        assertFalse(refused.routable());
        assertTrue(refused.refused(), refused.refused().contains("would shadow the model of p/fast-model"));
        Route bare = chatService().resolve("fast-model");
        assertEquals(Route.Kind.BARE, bare.kind());
        assertEquals(Route.Kind.ALIAS, chatService().resolve("good").kind());

        String models = get("/v1/models");
        assertTrue(models, models.contains("{\"id\":\"good\",\"object\":\"model\""));
        assertTrue(models, models.contains("\"targets\":[\"p/m\",\"nobody/m\"]"));
        assertFalse("a refused alias is offered: " + models, models.contains("\"id\":\"fast-model\""));
        String all = get("/v1/models?all=true");
        assertTrue(all, all.contains("\"id\":\"fast-model\",\"object\":\"model\""));
        assertTrue(all, all.contains("\"status\":\"refused: alias 'fast-model' would shadow"));
        String routes = get("/api/routes");
        assertTrue(routes, routes.contains("\"alias\":\"good\"") && routes.contains("\"status\":\"routable\""));

        // a target whose provider is not there is skipped, the other serves
        ChatResponse r = chatService().chat(ChatRequest.of("good", "hi"));
        assertEquals("p", r.providerId());
        assertEquals("m", Json.field(a.take().body, "model"));
    }

    private HttpResponse<String> post(String body) throws Exception {
        awaitCondition("the gateway does not serve /v1", () -> {
            try {
                return http.send(HttpRequest.newBuilder(URI.create(gatewayBase() + "/v1/models"))
                        .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200;
            } catch (java.io.IOException notYet) {
                return false;
            }
        });
        return http.send(HttpRequest.newBuilder(URI.create(gatewayBase() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(gatewayBase() + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + TOKEN).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(path + ": " + r.body(), 200, r.statusCode());
        return r.body();
    }
}
