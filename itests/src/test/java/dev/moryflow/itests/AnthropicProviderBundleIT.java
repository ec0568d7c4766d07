package dev.moryflow.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.service.cm.Configuration;
import org.osgi.service.metatype.MetaTypeService;

/**
 * The real provider-anthropic jar installed into a running hub, as a user drops it into {@code deploy/}: its factory
 * PID gets its Metatype form, a {@code moryflow.provider.anthropic~claude} configuration against a fake Anthropic
 * upstream becomes provider {@code claude}, whose key is ingested by the credentials bundle, and OpenAI clients of
 * the gateway's {@code /v1} chat with it, whole and streamed, tools included, while the upstream sees the Messages
 * API with its headers. Uninstalled, its models are gone.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AnthropicProviderBundleIT extends HubTestSupport {

    private static final String TOKEN = "mf-itest-anthropic-token-0123456789";
    private static final String KEY = "sk-ant-itest-0123456789abcdefKEY";
    private static final String FACTORY = "moryflow.provider.anthropic";

    private static final String WHOLE = "{\"id\":\"msg_01Aq9w938a90dw8q\",\"type\":\"message\",\"role\":\"assistant\","
            + "\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[{\"type\":\"text\",\"text\":\"I'll check.\"},"
            + "{\"type\":\"tool_use\",\"id\":\"toolu_01A09q90qw90lq917835lq9\",\"name\":\"get_weather\",\"input\":"
            + "{\"location\":\"San Francisco, CA\"}}],\"stop_reason\":\"tool_use\",\"stop_sequence\":null,"
            + "\"usage\":{\"input_tokens\":30,\"cache_read_input_tokens\":100,\"output_tokens\":20}}";

    /** The documented tool-use stream, arguments split mid-token, with a ping. */
    private static final String STREAM = "event: message_start\n"
            + "data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_014p7gG3wDgGV9EUtLvnow3U\",\"type\":"
            + "\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\",\"stop_sequence\":null,"
            + "\"usage\":{\"input_tokens\":472,\"output_tokens\":2},\"content\":[],\"stop_reason\":null}}\n\n"
            + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":"
            + "{\"type\":\"text\",\"text\":\"\"}}\n\n"
            + "event: ping\ndata: {\"type\": \"ping\"}\n\n"
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":"
            + "{\"type\":\"text_delta\",\"text\":\"Okay\"}}\n\n"
            + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
            + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":1,\"content_block\":"
            + "{\"type\":\"tool_use\",\"id\":\"toolu_01T1x1fJ34qAmk2tNTrN7Up6\",\"name\":\"get_weather\",\"input\":{}}}\n\n"
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":"
            + "{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"location\\\":\"}}\n\n"
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":"
            + "{\"type\":\"input_json_delta\",\"partial_json\":\" \\\"San Francisc\"}}\n\n"
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":1,\"delta\":"
            + "{\"type\":\"input_json_delta\",\"partial_json\":\"o, CA\\\"}\"}}\n\n"
            + "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":1}\n\n"
            + "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\","
            + "\"stop_sequence\":null},\"usage\":{\"output_tokens\":89}}\n\n"
            + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

    private static final String TOOLS = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"description\":\"Current weather\",\"parameters\":{\"type\":\"object\",\"properties\":{\"location\":"
            + "{\"type\":\"string\"}},\"required\":[\"location\"]}}}],\"tool_choice\":\"auto\"";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @org.ops4j.pax.exam.Configuration
    public Option[] config() {
        String jar = System.getProperty("itest.bundle.provider-anthropic");
        if (jar == null || jar.startsWith("${")) {
            throw new IllegalStateException("itest.bundle.provider-anthropic is not set: run through Maven");
        }
        return hub(newWorkDir("anthropic"), gateway(freePort()),
                frameworkProperty("itest.anthropic.jar").value(new File(jar).toURI().toString()));
    }

    private dev.moryflow.credentials.CredentialStore store() throws Exception {
        return context.getService(awaitService(dev.moryflow.credentials.CredentialStore.class, ""));
    }

    private String base() {
        return "http://127.0.0.1:" + context.getProperty("org.osgi.service.http.port");
    }

    private HttpResponse<String> chat(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> models() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base() + "/v1/models")).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + TOKEN).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private static FakeUpstream.Reply anthropic(FakeUpstream.Received r) {
        if (r.path.equals("/v1/models")) {
            return FakeUpstream.Reply.json(200, "{\"data\":[{\"type\":\"model\",\"id\":\"claude-sonnet-4-5\","
                    + "\"display_name\":\"Claude Sonnet 4.5\"}],\"has_more\":false}");
        }
        if (r.body.contains("\"overload me\"")) {
            return FakeUpstream.Reply.json(529, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                    + "\"message\":\"Overloaded\"}}");
        }
        if (r.body.contains("\"fail midway\"")) {
            return FakeUpstream.Reply.raw(200, "text/event-stream", STREAM.substring(0, STREAM.indexOf(
                    "event: content_block_stop")) + "event: error\ndata: {\"type\": \"error\", \"error\": {\"type\": "
                    + "\"overloaded_error\", \"message\": \"Overloaded\"}}\n\n");
        }
        return r.body.contains("\"stream\":true") ? FakeUpstream.Reply.raw(200, "text/event-stream", STREAM)
                : FakeUpstream.Reply.json(200, WHOLE);
    }

    @Test
    public void theInstalledJarServesClaudeThroughV1WholeAndStreamedWithToolsAndEndsItsChatsClearlyWhenUpdatedOrUninstalled()
            throws Exception {
        gatewayToken(TOKEN);
        try (FakeUpstream upstream = new FakeUpstream()) {
            upstream.script(AnthropicProviderBundleIT::anthropic);
            Bundle bundle = context.installBundle(context.getProperty("itest.anthropic.jar"));
            bundle.start();
            assertEquals("dev.moryflow.provider.anthropic", bundle.getSymbolicName());
            MetaTypeService metatype = context.getService(awaitService(MetaTypeService.class, ""));
            assertTrue(Arrays.asList(metatype.getMetaTypeInformation(bundle).getFactoryPids()).contains(FACTORY));

            Configuration claude = configAdmin.getFactoryConfiguration(FACTORY, "claude", "?");
            claude.update(props("name", "Claude", "baseUrl", upstream.origin() + "/v1", "apiKey", KEY,
                    "models", "claude-sonnet-4-5", "headers", "anthropic-beta: tools-2024-04-04"));
            awaitProvider("claude");
            awaitKeyStored("claude");
            awaitCondition("the key is still in the configuration", () -> claude.getProperties().get("apiKey") == null);
            awaitCondition("the API is not served", () -> models().statusCode() == 200);
            assertTrue(models().body().contains("\"id\":\"claude/claude-sonnet-4-5\""));

            // whole, with tools
            HttpResponse<String> whole = chat("{\"model\":\"claude/claude-sonnet-4-5\",\"messages\":[{\"role\":"
                    + "\"system\",\"content\":\"You forecast.\"},{\"role\":\"user\",\"content\":\"Weather in SF?\"}],"
                    + TOOLS + ",\"max_tokens\":256}");
            assertEquals(whole.body(), 200, whole.statusCode());
            assertEquals("claude", whole.headers().firstValue("X-MoryFlow-Provider").orElse(null));
            String w = whole.body();
            assertTrue(w, w.contains("\"model\":\"claude/claude-sonnet-4-5\""));
            assertTrue(w, w.contains("\"content\":\"I'll check.\""));
            assertTrue(w, w.contains("\"tool_calls\":[{\"id\":\"toolu_01A09q90qw90lq917835lq9\",\"type\":\"function\","
                    + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"location\\\":\\\"San Francisco, CA\\\"}\"}}]"));
            assertTrue(w, w.contains("\"finish_reason\":\"tool_calls\""));
            assertTrue(w, w.contains("\"usage\":{\"prompt_tokens\":130,\"completion_tokens\":20,\"total_tokens\":150,"
                    + "\"prompt_tokens_details\":{\"cached_tokens\":100,\"cache_creation_tokens\":0}}"));
            FakeUpstream.Received sent = upstream.take();
            assertEquals("POST", sent.method);
            assertEquals("/v1/messages", sent.path);
            assertEquals(KEY, sent.header("x-api-key"));
            assertEquals("2023-06-01", sent.header("anthropic-version"));
            assertEquals("tools-2024-04-04", sent.header("anthropic-beta"));
            assertEquals(null, sent.header("authorization"));
            assertEquals("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":256,\"system\":[{\"type\":\"text\",\"text\":"
                    + "\"You forecast.\"}],\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":"
                    + "\"Weather in SF?\"}]}],\"tools\":[{\"name\":\"get_weather\",\"description\":\"Current weather\","
                    + "\"input_schema\":{\"type\":\"object\",\"properties\":{\"location\":{\"type\":\"string\"}},"
                    + "\"required\":[\"location\"]}}],\"tool_choice\":{\"type\":\"auto\"}}", sent.body);

            // streamed, with tools, and the tool's result sent back in the next turn
            HttpResponse<String> streamed = chat("{\"model\":\"claude/claude-sonnet-4-5\",\"stream\":true,"
                    + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":"
                    + "\"Weather in SF?\"},{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"toolu_0\","
                    + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"location\\\":"
                    + "\\\"LA\\\"}\"}}]},{\"role\":\"tool\",\"tool_call_id\":\"toolu_0\",\"content\":\"25C\"},"
                    + "{\"role\":\"user\",\"content\":\"And SF?\"}]," + TOOLS + "}");
            assertEquals(streamed.body(), 200, streamed.statusCode());
            String s = streamed.body();
            assertTrue(s, s.contains("\"delta\":{\"role\":\"assistant\",\"content\":\"Okay\"}"));
            assertTrue(s, s.contains("\"tool_calls\":[{\"index\":0,\"id\":\"toolu_01T1x1fJ34qAmk2tNTrN7Up6\","
                    + "\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]"));
            StringBuilder args = new StringBuilder();
            Matcher m = Pattern.compile("\"tool_calls\":\\[\\{\"index\":0,\"function\":\\{\"arguments\":\"((?:[^\"\\\\]|\\\\.)*)\"")
                    .matcher(s);
            while (m.find()) {
                args.append(m.group(1).replace("\\\"", "\""));
            }
            assertEquals("{\"location\": \"San Francisco, CA\"}", args.toString());
            assertTrue(s, s.contains("\"finish_reason\":\"tool_calls\""));
            assertTrue(s, s.contains("\"choices\":[],\"usage\":{\"prompt_tokens\":472,\"completion_tokens\":89"));
            assertTrue(s, s.endsWith("data: [DONE]\n\n"));
            String next = upstream.take().body;
            assertTrue(next, next.contains("{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_0\","
                    + "\"name\":\"get_weather\",\"input\":{\"location\":\"LA\"}}]},{\"role\":\"user\",\"content\":["
                    + "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_0\",\"content\":\"25C\"},{\"type\":\"text\","
                    + "\"text\":\"And SF?\"}]}"));
            assertTrue(next, next.endsWith(",\"stream\":true}"));

            // Anthropic's errors keep their status and type: 529 overloaded_error, whole and mid-stream
            HttpResponse<String> overloaded = chat("{\"model\":\"claude/claude-sonnet-4-5\",\"messages\":[{\"role\":"
                    + "\"user\",\"content\":\"overload me\"}]}");
            assertEquals(overloaded.body(), 529, overloaded.statusCode());
            assertTrue(overloaded.body(), overloaded.body().contains("\"type\":\"overloaded_error\""));
            HttpResponse<String> midway = chat("{\"model\":\"claude/claude-sonnet-4-5\",\"stream\":true,\"messages\":"
                    + "[{\"role\":\"user\",\"content\":\"fail midway\"}]}");
            assertEquals(200, midway.statusCode());
            assertTrue(midway.body(), midway.body().contains("\"content\":\"Okay\""));
            assertTrue(midway.body(), midway.body().contains("data: {\"error\":{\"type\":\"overloaded_error\","
                    + "\"message\":\"Overloaded\"}}"));

            // what the Messages API cannot express is refused before sending, naming the field
            upstream.clear();
            HttpResponse<String> refused = chat("{\"model\":\"claude/claude-sonnet-4-5\",\"messages\":[{\"role\":"
                    + "\"user\",\"content\":\"hi\"}],\"logit_bias\":{\"1\":5}}");
            assertEquals(refused.body(), 400, refused.statusCode());
            assertTrue(refused.body(), refused.body().contains("logit_bias"));
            assertTrue(upstream.all().stream().noneMatch(r -> r.body.contains("logit_bias")));

            // the remote model list: GET /v1/models with the Anthropic headers
            upstream.clear();
            dev.moryflow.provider.ProviderService service = context.getService(awaitProvider("claude"));
            assertEquals("Claude Sonnet 4.5", service.listRemoteModels().get(0).displayName());
            FakeUpstream.Received list = upstream.take();
            assertEquals("GET /v1/models", list.method + " " + list.path);
            assertEquals(KEY, list.header("x-api-key"));
            assertEquals("2023-06-01", list.header("anthropic-version"));
            assertEquals("anthropic", service.info().protocol());
            for (String answer : new String[] { w, s, overloaded.body(), midway.body(), refused.body() }) {
                assertFalse("the key reached a client", answer.contains(KEY));
            }

            // one namespace of ids across provider bundles: an OpenAI-compatible "claude" is refused, its key unused
            Configuration twin = provider("claude", "baseUrl", upstream.baseUrl(), "apiKey", "sk-twin-0123456789abcdef",
                    "models", new String[] { "twin-model" });
            awaitCondition("the twin's key is still in its configuration", () -> twin.getProperties() == null
                    || twin.getProperties().get("apiKey") == null);
            assertEquals(1, providerRefs("(provider.id=claude)").length);
            assertEquals("anthropic", context.getService(awaitProvider("claude")).info().protocol());
            assertFalse(models().body().contains("twin-model"));
            assertTrue(store().verify("claude", KEY.toCharArray()));
            twin.delete();

            // updated while a chat streams (a new version dropped in): that chat ends at once with an error saying
            // so, its upstream connection closed; the provider comes back and answers
            String updated = streamCutBy(upstream, () -> bundle.update(new java.net.URL(
                    context.getProperty("itest.anthropic.jar")).openStream()));
            assertTrue(updated, updated.contains("provider 'claude' was removed while this chat was running (its "
                    + "bundle dev.moryflow.provider.anthropic stopped"));
            awaitProvider("claude");
            upstream.script(r -> FakeUpstream.Reply.json(200, "{\"id\":\"msg_back\",\"type\":\"message\",\"role\":"
                    + "\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[{\"type\":\"text\",\"text\":\"Back\"}],"
                    + "\"stop_reason\":\"end_turn\",\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}"));
            HttpResponse<String> again = chat("{\"model\":\"claude/claude-sonnet-4-5\",\"messages\":[{\"role\":"
                    + "\"user\",\"content\":\"hi\"}]}");
            assertEquals("after the update: " + again.body(), 200, again.statusCode());
            assertTrue(again.body(), again.body().contains("\"content\":\"Back\""));

            // uninstalled while a chat streams: the same
            String uninstalled = streamCutBy(upstream, bundle::uninstall);
            assertTrue(uninstalled, uninstalled.contains("provider 'claude' was removed while this chat was running"));
            awaitNoProvider("claude");
            awaitCondition("claude's models are still listed", () -> !models().body().contains("claude/"));
            HttpResponse<String> gone = chat("{\"model\":\"claude/claude-sonnet-4-5\",\"messages\":[{\"role\":"
                    + "\"user\",\"content\":\"hi\"}]}");
            assertEquals(gone.body(), 404, gone.statusCode());
            claude.delete();
        }
    }

    /** Something done to the bundle while it is done mid-stream. */
    private interface MidStream {
        void run() throws Exception;
    }

    /**
     * Streams a chat that the upstream holds open after its first piece, does {@code action} once the client has
     * that piece, and returns what the client got; the upstream's connection must close.
     */
    private String streamCutBy(FakeUpstream upstream, MidStream action) throws Exception {
        java.util.concurrent.CompletableFuture<Boolean> upstreamClosed = new java.util.concurrent.CompletableFuture<>();
        upstream.script(r -> FakeUpstream.Reply.sseUntilClosed(java.util.List.of(
                "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_slow\",\"model\":\"claude-sonnet-4-5\","
                        + "\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}",
                "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Once\"}}"),
                upstreamClosed));
        upstream.clear();
        HttpResponse<java.io.InputStream> running = http.send(HttpRequest
                .newBuilder(URI.create(base() + "/v1/chat/completions")).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"claude/claude-sonnet-4-5\",\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"tell a long story\"}]}")).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, running.statusCode());
        StringBuilder cut = new StringBuilder();
        try (java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(
                running.body(), java.nio.charset.StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null && !line.contains("\"content\":\"Once\"")) {
                cut.append(line).append('\n');
            }
            assertTrue("the stream ended before its first chunk: " + cut, line != null);
            action.run();
            while ((line = lines.readLine()) != null) {
                cut.append(line).append('\n');
            }
        }
        String c = cut.toString();
        assertTrue(c, c.endsWith("data: [DONE]\n\n"));
        assertTrue("the upstream connection stayed open", upstreamClosed.get(10, java.util.concurrent.TimeUnit.SECONDS));
        return c;
    }
}
