package dev.moryflow.itests;

import static org.junit.Assert.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.event.Event;

/**
 * Same protocol, no transcoding: what an OpenAI client sends reaches the upstream byte for byte except
 * {@code model}, and what the upstream answers (whole, or each event) reaches the client byte for byte except
 * {@code model}.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class PassThroughIT extends HubTestSupport {

    private static final String TOKEN = "mf-itest-passthrough-token-0123456789";
    private static final String CLIENT_MODEL = "pt/up-model";

    /** Parameters the hub does not model, odd number formatting and spacing, an unknown vendor field. */
    private static final String PARAMETERS = "\"max_completion_tokens\": 1.0E3, \"temperature\":0.50,"
            + " \"logit_bias\": {\"50256\": -100, \"1734\":5},\n \"vendor_knob\":{\"deep\":[1,2.0,{\"model\":\"x\"}]},"
            + " \"stream_options\":{\"include_usage\":false}, \"messages\":[{\"role\":\"user\",\"content\":["
            + "{\"type\":\"text\",\"text\":\"what is \\u00e9?\"},"
            + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,AAA\",\"detail\":\"high\"}}]}]";

    private static final String UPSTREAM_ANSWER = "{\"id\":\"chatcmpl-up-777\",\"object\":\"chat.completion\","
            + "\"created\":1700000001,\"model\":\"up-model-2025-01\",\"system_fingerprint\":\"fp_abc\","
            + "\"service_tier\":\"default\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
            + "\"content\":\"It is e.\",\"refusal\":null,\"annotations\":[{\"type\":\"url_citation\","
            + "\"url_citation\":{\"url\":\"https://e.example\",\"start_index\":0,\"end_index\":3}}]},"
            + "\"logprobs\":{\"content\":[{\"token\":\"It\",\"logprob\":-0.01,\"bytes\":[73,116],\"top_logprobs\":[]}]},"
            + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":4,"
            + "\"total_tokens\":15,\"prompt_tokens_details\":{\"cached_tokens\":8,\"audio_tokens\":0},"
            + "\"completion_tokens_details\":{\"reasoning_tokens\":2,\"accepted_prediction_tokens\":0}},"
            + "\"citations\":[\"https://e.example\"],\"x_groq\":{\"id\":\"req_01\"}}";

    private static final List<String> UPSTREAM_EVENTS = List.of(
            "{\"id\":\"chatcmpl-up-888\",\"object\":\"chat.completion.chunk\",\"created\":1700000002,"
                    + "\"model\":\"up-model-2025-01\",\"system_fingerprint\":\"fp_abc\",\"service_tier\":\"default\","
                    + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\",\"refusal\":null},"
                    + "\"logprobs\":null,\"finish_reason\":null}],\"x_groq\":{\"id\":\"req_02\"}}",
            "{\"id\":\"chatcmpl-up-888\",\"object\":\"chat.completion.chunk\",\"created\":1700000002,"
                    + "\"model\":\"up-model-2025-01\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"It is e.\"},"
                    + "\"logprobs\":{\"content\":[{\"token\":\"It\",\"logprob\":-0.01,\"bytes\":[73,116],"
                    + "\"top_logprobs\":[]}]},\"finish_reason\":null}]}",
            "{\"id\":\"chatcmpl-up-888\",\"object\":\"chat.completion.chunk\",\"created\":1700000002,"
                    + "\"model\":\"up-model-2025-01\",\"choices\":[{\"index\":0,\"delta\":{\"annotations\":[]},"
                    + "\"finish_reason\":\"stop\"}],\"citations\":[\"https://e.example\"]}",
            "{\"id\":\"chatcmpl-up-888\",\"object\":\"chat.completion.chunk\",\"created\":1700000002,"
                    + "\"model\":\"up-model-2025-01\",\"choices\":[],\"usage\":{\"prompt_tokens\":11,"
                    + "\"completion_tokens\":4,\"total_tokens\":15,\"prompt_tokens_details\":{\"cached_tokens\":8},"
                    + "\"completion_tokens_details\":{\"reasoning_tokens\":2}},\"x_groq\":{\"usage\":{\"queue_time\":0.01}}}",
            "[DONE]");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private FakeUpstream upstream;

    @org.ops4j.pax.exam.Configuration
    public Option[] config() throws Exception {
        return hub(newWorkDir("passthrough"), gateway(freePort()));
    }

    @Before
    public void setUp() throws Exception {
        upstream = new FakeUpstream();
        gatewayToken(TOKEN);
        provider("pt", "name", "Pass-through Upstream", "baseUrl", upstream.baseUrl(), "models",
                new String[] { "up-model" });
        awaitProvider("pt");
        awaitCondition("the API is not served", () -> get("/v1/models").statusCode() == 200);
    }

    @After
    public void tearDown() throws Exception {
        deleteProviders();
        upstream.close();
    }

    private String base() {
        return "http://127.0.0.1:" + context.getProperty("org.osgi.service.http.port");
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> chat(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String upstreamModel(String s) {
        return s.replace("\"model\" :  \"" + CLIENT_MODEL + "\"", "\"model\" :  \"up-model\"");
    }

    private static String clientModel(String s) {
        return s.replace("\"model\":\"up-model-2025-01\"", "\"model\":\"" + CLIENT_MODEL + "\"");
    }

    private static String sse(List<String> events) {
        StringBuilder sb = new StringBuilder();
        events.forEach(e -> sb.append("data: ").append(e).append("\n\n"));
        return sb.toString();
    }

    @Test
    public void wholeChatReachesTheUpstreamAsSentAndItsAnswerTheClientAsAnsweredExceptModel() throws Exception {
        upstream.script(r -> FakeUpstream.Reply.json(200, UPSTREAM_ANSWER));
        String body = "{ \"model\" :  \"" + CLIENT_MODEL + "\", " + PARAMETERS + " }";
        HttpResponse<String> r = chat(body);
        assertEquals(r.body(), 200, r.statusCode());
        assertEquals(upstreamModel(body), upstream.take().body);
        assertEquals(clientModel(UPSTREAM_ANSWER), r.body());
        assertEquals("pt", r.headers().firstValue("X-MoryFlow-Provider").orElse(null));
    }

    @Test
    public void streamedChatPassesEveryEventThroughAndHidesTheUsageChunkTheClientDidNotAskFor() throws Exception {
        upstream.script(r -> FakeUpstream.Reply.sse(UPSTREAM_EVENTS));
        String body = "{ \"model\" :  \"" + CLIENT_MODEL + "\", \"stream\": true, " + PARAMETERS + " }";
        try (EventRecorder events = new EventRecorder()) {
            HttpResponse<String> r = chat(body);
            assertEquals(r.body(), 200, r.statusCode());
            // the hub needs usage for its events: include_usage false was made true, nothing else changed
            assertEquals(upstreamModel(body).replace("{\"include_usage\":false}", "{\"include_usage\":true}"),
                    upstream.take().body);
            assertEquals(clientModel(sse(List.of(UPSTREAM_EVENTS.get(0), UPSTREAM_EVENTS.get(1),
                    UPSTREAM_EVENTS.get(2)))) + "data: [DONE]\n\n", r.body());
            assertEquals("pt", r.headers().firstValue("X-MoryFlow-Provider").orElse(null));
            Event done = events.await("moryflow/chat/COMPLETED", "pt");
            assertEquals(11, ((Number) done.getProperty("tokens.prompt")).intValue());
            assertEquals(4, ((Number) done.getProperty("tokens.completion")).intValue());
            assertEquals(15, ((Number) done.getProperty("tokens.total")).intValue());
        }
    }

    @Test
    public void streamedChatWhoseClientAskedForUsageGetsTheUpstreamsUsageChunkAsSent() throws Exception {
        upstream.script(r -> FakeUpstream.Reply.sse(UPSTREAM_EVENTS));
        String body = "{ \"model\" :  \"" + CLIENT_MODEL + "\", \"stream\":true,"
                + " \"stream_options\":{\"include_usage\":true},"
                + " \"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"model\":\"nested stays\"}] }";
        HttpResponse<String> r = chat(body);
        assertEquals(r.body(), 200, r.statusCode());
        assertEquals(upstreamModel(body), upstream.take().body);
        assertEquals(clientModel(sse(UPSTREAM_EVENTS)), r.body());
    }
}
