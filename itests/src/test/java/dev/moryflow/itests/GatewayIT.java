package dev.moryflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;


/** The OpenAI-compatible HTTP API, driven with plain HTTP through real Jetty, to a fake upstream. */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class GatewayIT extends HubTestSupport {

    private static final String TOKEN = "mf-itest-gateway-token-0123456789";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private FakeUpstream upstream;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() throws Exception {
        int port = freePort();
        return hub(newWorkDir("gateway"),
                gateway(port));
    }

    @Before
    public void setUp() throws Exception {
        upstream = new FakeUpstream();
        gatewayToken(TOKEN);
        provider("gw", "name", "Gateway Upstream", "baseUrl", upstream.baseUrl(), "models",
                new String[] { "gw-model", "other-model" });
        awaitProvider("gw");
        awaitCondition("the API is not served", () -> get("/v1/models", TOKEN).statusCode() == 200);
    }

    @After
    public void tearDown() throws Exception {
        deleteProviders();
        upstream.close();
    }

    private String base() {
        return "http://127.0.0.1:" + context.getProperty("org.osgi.service.http.port");
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(10));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return send("POST", path, body);
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    public void remoteModelsShowWhatTheListLacksAndPostingModelsAddsThemToTheConfiguration() throws Exception {
        HttpResponse<String> r = get("/api/providers/gw/remote-models", TOKEN);
        assertEquals(r.body(), 200, r.statusCode());
        assertTrue(r.body(), r.body().contains("\"missing\":[\"remote-a\",\"remote-b\"]")
                && r.body().contains("\"gone\":[\"gw-model\",\"other-model\"]"));
        HttpResponse<String> added = post("/api/providers/gw/models", "{\"models\":[\"remote-a\",\"gw-model\"]}");
        assertEquals(added.body(), 200, added.statusCode());
        assertTrue(added.body(), added.body().contains("\"added\":[\"remote-a\"]"));
        awaitCondition("the added model is not served", () -> get("/v1/models", TOKEN).body().contains("gw/remote-a"));
        assertEquals(400, post("/api/providers/gw/models", "{\"models\":\"remote-b\"}").statusCode());
        HttpResponse<String> unknown = get("/api/providers/nope/remote-models", TOKEN);
        assertEquals(400, unknown.statusCode());
        assertTrue(unknown.body(), unknown.body().contains("there is no provider 'nope'"));
    }

    @Test
    public void everyRouteNeedsTheToken() throws Exception {
        HttpResponse<String> none = get("/v1/models", null);
        assertEquals(401, none.statusCode());
        assertTrue(none.body(), none.body().contains("\"code\":\"invalid_api_key\""));
        assertEquals(401, get("/v1/models", "wrong-token").statusCode());
        assertFalse(none.body().contains(TOKEN));
    }

    @Test
    public void modelsListsEveryRoutableModelWithProviderAndMetadata() throws Exception {
        HttpResponse<String> r = get("/v1/models", TOKEN);
        assertEquals(200, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("{\"object\":\"list\",\"data\":["));
        assertTrue(r.body(), r.body().contains("\"id\":\"gw/gw-model\""));
        assertTrue(r.body(), r.body().contains("\"provider\":\"gw\""));
        assertTrue(r.body(), r.body().contains("\"capabilities\":[\"chat\"]"));
    }

    @Test
    public void wholeChatAnswersInTheOpenAiShape() throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions",
                "{\"model\":\"gw-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}],\"temperature\":0.5,"
                        + "\"seed\":42}");
        assertEquals(r.body(), 200, r.statusCode());
        assertEquals("gw", r.headers().firstValue("X-MoryFlow-Provider").orElse(null));
        assertTrue(r.body(), r.body().contains("\"object\":\"chat.completion\""));
        assertTrue(r.body(), r.body().contains("\"message\":{\"role\":\"assistant\",\"content\":\"Hello from gw-model\"}"));
        assertTrue(r.body(), r.body().contains("\"finish_reason\":\"stop\""));
        assertTrue(r.body(), r.body().contains("\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3,\"total_tokens\":8}"));
        FakeUpstream.Received up = upstream.take();
        assertEquals("/v1/chat/completions", up.path);
        assertTrue(up.body, up.body.contains("\"seed\":42"));
        assertTrue(up.body, up.body.contains("\"temperature\":0.5"));
    }

    @Test
    public void streamedChatArrivesAsServerSentEventsWithUsageAndDone() throws Exception {
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(base() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gw/gw-model\",\"stream\":true,"
                        + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        assertEquals("the streamed answer names its provider", "gw",
                r.headers().firstValue("X-MoryFlow-Provider").orElse(null));
        List<String> data = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null;) {
                if (line.startsWith("data: ")) {
                    data.add(line.substring(6));
                }
            }
        }
        assertEquals("[DONE]", data.get(data.size() - 1));
        StringBuilder text = new StringBuilder();
        for (String d : data) {
            String c = Json.field(d, "content");
            if (c != null) {
                text.append(c);
            }
        }
        assertEquals("Hello", text.toString());
        assertTrue(data.get(0), data.get(0).contains("\"object\":\"chat.completion.chunk\"")
                && data.get(0).contains("\"role\":\"assistant\""));
        assertTrue(data.toString(), data.get(data.size() - 2).contains("\"choices\":[]")
                && data.get(data.size() - 2).contains("\"total_tokens\":7"));
    }

    @Test
    public void bareModelTwoProvidersListGoesToTheSmallestIdInEitherRegistrationOrderAndTheAnswerNamesIt()
            throws Exception {
        try (FakeUpstream second = new FakeUpstream()) {
            for (String[] order : new String[][] { { "zeta", "alpha" }, { "alpha", "zeta" } }) {
                for (String id : order) {
                    provider(id, "name", id, "baseUrl", ("alpha".equals(id) ? upstream : second).baseUrl(),
                            "models", new String[] { "tie-model" });
                    awaitProvider(id);
                }
                awaitCondition("both providers are routable", () -> chatService().models().stream()
                        .filter(m -> m.model().id().equals("tie-model")).count() == 2);
                String chat = "{\"model\":\"tie-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
                HttpResponse<String> whole = post("/v1/chat/completions", chat + "}");
                assertEquals(whole.body(), 200, whole.statusCode());
                assertEquals("registered " + String.join(", ", order), "alpha",
                        whole.headers().firstValue("X-MoryFlow-Provider").orElse(null));
                HttpResponse<InputStream> streamed = postStream(chat + ",\"stream\":true}");
                assertEquals(200, streamed.statusCode());
                assertEquals("registered " + String.join(", ", order), "alpha",
                        streamed.headers().firstValue("X-MoryFlow-Provider").orElse(null));
                streamed.body().readAllBytes();
                assertEquals("tie-model", Json.field(upstream.take().body, "model"));
                assertEquals("tie-model", Json.field(upstream.take().body, "model"));
                assertTrue("zeta's upstream got nothing", second.all().isEmpty());
                for (String id : order) {
                    configAdmin.getFactoryConfiguration(OPENAI_FACTORY, id, "?").delete();
                    awaitNoProvider(id);
                }
            }
        }
    }

    private HttpResponse<InputStream> postStream(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
    }

    @Test
    public void badRequestsGetClearFourHundreds() throws Exception {
        HttpResponse<String> noModel = post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertEquals(400, noModel.statusCode());
        assertTrue(noModel.body(), noModel.body().contains("\"param\":\"model\""));
        HttpResponse<String> notJson = post("/v1/chat/completions", "{model: nope");
        assertEquals(400, notJson.statusCode());
        assertTrue(notJson.body(), notJson.body().contains("not valid JSON"));
        HttpResponse<String> badRole = post("/v1/chat/completions", "{\"model\":\"gw-model\",\"messages\":[{\"content\":\"x\"}]}");
        assertEquals(400, badRole.statusCode());
        assertTrue(badRole.body(), badRole.body().contains("\"param\":\"messages[0].role\""));
        HttpResponse<String> unknown = post("/v1/chat/completions",
                "{\"model\":\"gw-modle\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertEquals(404, unknown.statusCode());
        assertTrue(unknown.body(), unknown.body().contains("\"code\":\"model_not_found\"")
                && unknown.body().contains("gw-model"));
        assertEquals(404, post("/v1/embeddings", "{}").statusCode());
        for (String method : new String[] { "PUT", "DELETE", "PATCH" }) {
            HttpResponse<String> wrongMethod = send(method, "/v1/chat/completions", "{}");
            assertEquals(method, 405, wrongMethod.statusCode());
            assertTrue(wrongMethod.body(), wrongMethod.body().contains("\"code\":\"method_not_allowed\"")
                    && wrongMethod.body().contains("POST /v1/chat/completions"));
            assertEquals("GET, POST", wrongMethod.headers().firstValue("Allow").orElse(""));
        }
        // last: the server answers 413 without reading the body and closes that connection
        String huge = "{\"model\":\"gw-model\",\"messages\":[{\"role\":\"user\",\"content\":\"" + "x".repeat(9 * 1024 * 1024)
                + "\"}]}";
        HttpResponse<String> tooBig = post("/v1/chat/completions", huge);
        assertEquals(413, tooBig.statusCode());
        assertTrue(tooBig.body(), tooBig.body().contains("\"code\":\"request_too_large\""));
        assertTrue("no bad request reached the upstream", upstream.all().isEmpty());
    }

    @Test
    public void requestsTheServerCannotTakeGetOpenAiJsonNotAnHtmlPage() throws Exception {
        HttpResponse<String> bigHeaders = http.send(HttpRequest.newBuilder(URI.create(base() + "/v1/models"))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + TOKEN)
                .header("X-Big", "a".repeat(20_000)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(431, bigHeaders.statusCode());
        assertEquals("application/json", header(bigHeaders, "Content-Type"));
        assertTrue(bigHeaders.body(), bigHeaders.body().contains("\"code\":\"request_header_fields_too_large\"")
                && bigHeaders.body().contains("Send fewer or smaller headers"));
        String port = context.getProperty("org.osgi.service.http.port");
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", Integer.parseInt(port))) {
            s.getOutputStream().write("GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(answer, answer.startsWith("HTTP/1.1 400"));
            assertTrue(answer, answer.contains("application/json") && answer.contains("\"code\":\"bad_request\""));
        }
    }

    private static final String CHAT = "{\"model\":\"gw-model\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]";

    private static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    @Test
    public void upstreamServerErrorKeepsItsStatusAndErrorObjectAndNamesTheProvider() throws Exception {
        upstream.script(r -> FakeUpstream.Reply.json(500, "{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}"));
        HttpResponse<String> r = post("/v1/chat/completions", CHAT + "}");
        assertEquals(r.body(), 500, r.statusCode());
        assertEquals("gw", header(r, "X-MoryFlow-Provider"));
        assertEquals("{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}", r.body());
    }

    @Test
    public void rateLimitReachesTheClientWithItsStatusRetryAfterAndRateLimitHeadersWholeAndStreamed()
            throws Exception {
        upstream.script(r -> FakeUpstream.rateLimited(4, 0));
        HttpResponse<String> whole = post("/v1/chat/completions", CHAT + "}");
        HttpResponse<InputStream> streamed = postStream(CHAT + ",\"stream\":true}");
        String streamedBody = new String(streamed.body().readAllBytes(), StandardCharsets.UTF_8);
        for (HttpResponse<?> r : List.of(whole, streamed)) {
            assertEquals(429, r.statusCode());
            assertEquals("4", header(r, "Retry-After"));
            assertEquals("0", header(r, "x-ratelimit-remaining-requests"));
            assertEquals("500", header(r, "x-ratelimit-limit-requests"));
            assertEquals("4s", header(r, "x-ratelimit-reset-requests"));
            assertEquals("gw", header(r, "X-MoryFlow-Provider"));
        }
        for (String body : List.of(whole.body(), streamedBody)) {
            assertEquals("{\"error\":{\"message\":\"Rate limit reached for requests. Please try again in 4s.\","
                    + "\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}", body);
        }
    }

    @Test
    public void upstreamAuthenticationFailureIsA401NamingTheProviderAndTheFixWithTheUpstreamsCode()
            throws Exception {
        upstream.script(r -> FakeUpstream.errorWithCode(401, "invalid_api_key", "invalid_request_error", null,
                "Incorrect API key provided."));
        HttpResponse<String> r = post("/v1/chat/completions", CHAT + "}");
        assertEquals(r.body(), 401, r.statusCode());
        assertEquals("gw", header(r, "X-MoryFlow-Provider"));
        assertEquals("invalid_api_key", Json.field(r.body(), "code"));
        assertEquals("invalid_request_error", Json.field(r.body(), "type"));
        String message = Json.field(r.body(), "message");
        assertTrue(message, message.contains("provider 'gw' rejected the API key")
                && message.contains("Incorrect API key provided.") && message.contains("moryflow:key-set gw")
                && message.contains("gateway token was accepted"));
    }

    @Test
    public void upstreamsOwnErrorCodeTypeParamAndMessageAreNotRelabelled() throws Exception {
        upstream.script(r -> FakeUpstream.errorWithCode(400, "custom_code", "invalid_request_error", "temperature",
                "The model does not accept temperature 3, it is invalid."));
        HttpResponse<String> custom = post("/v1/chat/completions", CHAT + "}");
        assertEquals(custom.body(), 400, custom.statusCode());
        assertEquals(FakeUpstream.errorObject("custom_code", "invalid_request_error", "temperature",
                "The model does not accept temperature 3, it is invalid."), custom.body());

        String modelError = FakeUpstream.errorObject("model_error", "server_error", null,
                "The model produced invalid output.");
        upstream.script(r -> FakeUpstream.Reply.json(200, modelError));
        HttpResponse<String> inAnswer = post("/v1/chat/completions", CHAT + "}");
        assertEquals("an error inside a 200 answer keeps the 200 and its own code", 200, inAnswer.statusCode());
        assertEquals(modelError, inAnswer.body());
        assertFalse(inAnswer.body(), inAnswer.body().contains("model_not_found"));
    }

    @Test
    public void midStreamErrorEventReachesTheClientWithTheUpstreamsOwnCode() throws Exception {
        upstream.script(r -> FakeUpstream.midStreamError("model_error", "The model produced invalid output."));
        HttpResponse<InputStream> r = postStream(CHAT + ",\"stream\":true}");
        assertEquals(200, r.statusCode());
        assertEquals("gw", header(r, "X-MoryFlow-Provider"));
        List<String> data = new ArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null;) {
                if (line.startsWith("data: ")) {
                    data.add(line.substring(6));
                }
            }
        }
        assertTrue(data.toString(), data.get(0).contains("\"content\":\"Par\""));
        assertTrue(data.toString(), data.contains(FakeUpstream.errorObject("model_error", "server_error", null,
                "The model produced invalid output.")));
        assertFalse(data.toString(), data.toString().contains("model_not_found"));
    }

    @Test
    public void clientLeavingMidStreamClosesTheUpstreamRequest() throws Exception {
        CompletableFuture<Boolean> closed = new CompletableFuture<>();
        upstream.script(r -> FakeUpstream.Reply.sseUntilClosed(List.of(
                "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"first\"}}]}"), closed));
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(base() + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"gw-model\",\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"long answer please\"}]}"))
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.contains("first")) {
            // read up to the first chunk
        }
        assertTrue("the first chunk arrived before the answer ended", line != null);
        in.close();
        assertTrue("the upstream connection was not closed after the client left",
                closed.get(15, TimeUnit.SECONDS));
    }

    @Test
    public void managementApiCreatesChangesKeysAndDeletesProvidersThroughConfigAdmin() throws Exception {
        String key = "sk-api-MANAGED-KEY-5555";
        String newKey = "sk-api-ROTATED-KEY-6666";
        HttpResponse<String> created = post("/api/providers", "{\"id\":\"api-made\",\"name\":\"API Made\","
                + "\"baseUrl\":\"" + upstream.baseUrl() + "\",\"models\":[\"m1\"],\"apiKey\":\"" + key + "\"}");
        assertEquals(created.body(), 201, created.statusCode());
        awaitProvider("api-made");
        Configuration c = configAdmin.listConfigurations("(service.pid=moryflow.provider.openai~api-made)")[0];
        assertEquals(null, c.getProperties().get("apiKey"));
        HttpResponse<String> list = get("/api/providers", TOKEN);
        assertTrue(list.body(), list.body().contains("\"id\":\"api-made\"") && list.body().contains("\"status\":\"ready\"")
                && list.body().contains("\"key\":\"present\""));

        post("/v1/chat/completions", "{\"model\":\"api-made/m1\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertEquals("Bearer " + key, upstream.take().header("authorization"));

        assertEquals(200, send("PUT", "/api/providers/api-made", "{\"models\":[\"m1\",\"m2\"]}").statusCode());
        awaitCondition("m2 not routable after the update",
                () -> chatService().models().stream().anyMatch(m -> m.qualifiedName().equals("api-made/m2")));

        HttpResponse<String> rotated = send("PUT", "/api/providers/api-made/key", "{\"apiKey\":\"" + newKey + "\"}");
        assertEquals(200, rotated.statusCode());
        assertTrue(rotated.body(), rotated.body().contains("\"fingerprint\":\"") && !rotated.body().contains(newKey));
        post("/v1/chat/completions", "{\"model\":\"api-made/m2\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertEquals("Bearer " + newKey, upstream.take().header("authorization"));

        assertEquals(409, post("/api/providers", "{\"id\":\"api-made\",\"baseUrl\":\"http://127.0.0.1:9/v1\"}").statusCode());
        HttpResponse<String> unknown = send("PUT", "/api/providers/api-made", "{\"colour\":\"blue\"}");
        assertEquals(400, unknown.statusCode());
        assertTrue(unknown.body(), unknown.body().contains("unknown property 'colour'"));
        assertEquals(400, post("/api/providers", "{\"id\":\"nourl\"}").statusCode());
        assertEquals(401, get("/api/providers", null).statusCode());

        assertEquals(204, send("DELETE", "/api/providers/api-made", null).statusCode());
        awaitNoProvider("api-made");
        assertEquals(404, send("DELETE", "/api/providers/api-made", null).statusCode());
        for (HttpResponse<String> r : List.of(created, list, rotated)) {
            assertFalse(r.body().contains(key) || r.body().contains(newKey));
        }
    }

    @Test
    public void refusedConfigurationIsListedWithItsStatus() throws Exception {
        provider("broken-url", "name", "Broken", "baseUrl", "not a url");
        awaitCondition("the refused provider is not listed", () -> get("/api/providers", TOKEN).body()
                .contains("\"id\":\"broken-url\",\"name\":\"Broken\",\"baseUrl\":\"not a url\",\"status\":\"refused\""));
    }

    @Test
    public void testRouteAnswersTheDoctorsReport() throws Exception {
        HttpResponse<String> r = post("/api/providers/gw/test?model=gw-model", "");
        assertEquals(r.body(), 200, r.statusCode());
        assertTrue(r.body(), r.body().startsWith("{\"provider\":\"gw\",\"model\":\"gw-model\",\"ok\":true"));
        assertTrue(r.body(), r.body().contains("\"name\":\"test message\"") || r.body().contains("\"steps\":["));
        HttpResponse<String> unknown = post("/api/providers/nobody/test", "");
        assertEquals(200, unknown.statusCode());
        assertTrue(unknown.body(), unknown.body().contains("\"ok\":false"));
    }

    @Test
    public void eventsRouteStreamsTheHubsEventsWithoutKeys() throws Exception {
        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(base() + "/api/events"))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        InputStream body = r.body();
        // closed from this thread in the end: closing the BufferedReader would wait for the lock of a readLine that
        // blocks on another thread, and hang the test when the event never comes
        try (body) {
            BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
            assertTrue(in.readLine().startsWith(": connected"));
            provider("evented", "name", "Evented", "baseUrl", upstream.baseUrl(), "models", new String[] { "ev-model" },
                    "apiKey", "sk-event-SECRET-9876");
            CompletableFuture<String> added = CompletableFuture.supplyAsync(() -> {
                try {
                    for (String line; (line = in.readLine()) != null;) {
                        if (line.startsWith("data: ") && line.contains("moryflow/provider/ADDED")
                                && line.contains("\"evented\"")) {
                            return line;
                        }
                        if (line.contains("sk-event-SECRET-9876")) {
                            return "LEAK " + line;
                        }
                    }
                    return "closed";
                } catch (java.io.IOException e) {
                    return e.toString();
                }
            });
            String line = added.get(15, TimeUnit.SECONDS);
            assertTrue(line, line.contains("\"provider.name\":\"Evented\"") && line.contains("\"provider.models\":[\"ev-model\"]"));
        }
    }

    @Test
    public void modelsListsWhatCanAnswerNowAndAllListsEveryModelWithItsStatus() throws Exception {
        provider("keyless", "name", "Keyless", "baseUrl", "https://api.keyless.invalid/v1", "models",
                new String[] { "kl-model" });
        awaitProvider("keyless");
        String usable = get("/v1/models", TOKEN).body();
        assertTrue(usable, usable.contains("\"gw/gw-model\""));
        assertFalse("a model that cannot answer is offered: " + usable, usable.contains("keyless/kl-model"));
        String all = get("/v1/models?all=true", TOKEN).body();
        assertTrue(all, all.contains("\"id\":\"keyless/kl-model\""));
        assertTrue(all, all.contains("\"available\":false,\"status\":\"needs key: store one for provider keyless"));
        assertTrue(all, all.contains("\"available\":true,\"status\":\"ready\""));
    }
}
