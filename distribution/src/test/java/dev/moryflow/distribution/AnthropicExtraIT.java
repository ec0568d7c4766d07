package dev.moryflow.distribution;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.FixMethodOrder;
import org.junit.Test;
import org.junit.runners.MethodSorters;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The "done when", on the assembled runtime: the user copies {@code extras/moryflow-provider-anthropic-*.jar}
 * into {@code deploy/} of a running hub and drops {@code deploy/moryflow.provider.anthropic-claude.cfg}; the official
 * OpenAI Java SDK then chats with {@code claude/<model>}, tools included, whole and streamed (against a fake
 * Anthropic Messages API that checks the headers); removing the jar while a chat streams ends that chat with an
 * error, and the provider's models are gone. The methods run in name order: the jar is removed last.
 */
@FixMethodOrder(MethodSorters.NAME_ASCENDING)
public class AnthropicExtraIT {

    private static final String KEY = "sk-ant-distribution-0123456789abcdef";
    private static final String MODEL = "claude/claude-sonnet-4-5";

    private static RunningHub hub;
    private static HttpServer anthropic;
    private static OpenAIClient client;
    private static final List<String> received = new CopyOnWriteArrayList<>();
    private static final Map<String, String> headers = new ConcurrentHashMap<>();
    private static final CountDownLatch slowStarted = new CountDownLatch(1);
    private static long routableAfterMs;

    private static final String STREAM = event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":"
            + "\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\","
            + "\"content\":[],\"usage\":{\"input_tokens\":50,\"output_tokens\":1}}}")
            + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":"
                    + "\"thinking\",\"thinking\":\"\"}}")
            + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":"
                    + "\"thinking_delta\",\"thinking\":\"Weather needs a tool.\"}}")
            + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
            + event("ping", "{\"type\": \"ping\"}")
            + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":"
                    + "\"tool_use\",\"id\":\"toolu_01Stream\",\"name\":\"get_weather\",\"input\":{}}}")
            + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":"
                    + "\"input_json_delta\",\"partial_json\":\"{\\\"loc\"}}")
            + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":"
                    + "\"input_json_delta\",\"partial_json\":\"ation\\\": \\\"Par\"}}")
            + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":"
                    + "\"input_json_delta\",\"partial_json\":\"is\\\"}\"}}")
            + event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}")
            + event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},"
                    + "\"usage\":{\"output_tokens\":30}}")
            + event("message_stop", "{\"type\":\"message_stop\"}");

    private static String event(String name, String data) {
        return "event: " + name + "\ndata: " + data + "\n\n";
    }

    @BeforeClass
    public static void start() throws Exception {
        anthropic = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        anthropic.createContext("/", AnthropicExtraIT::answer);
        anthropic.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        anthropic.start();
        hub = new RunningHub();
        client = OpenAIOkHttpClient.builder().baseUrl(hub.base() + "/v1").apiKey(RunningHub.TOKEN).maxRetries(0)
                .build();

        long t0 = System.nanoTime();
        Files.copy(extrasJar(), hub.home().resolve("deploy").resolve(extrasJar().getFileName()));
        Files.writeString(hub.home().resolve("deploy/moryflow.provider.anthropic-claude.cfg"), "name = Claude\n"
                + "baseUrl = http://127.0.0.1:" + anthropic.getAddress().getPort() + "\n"
                + "apiKey = " + KEY + "\n"
                + "models = claude-sonnet-4-5\n");
        RunningHub.awaitHttp(hub.base() + "/v1/models", "\"" + MODEL + "\"", RunningHub.TOKEN);
        routableAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    @AfterClass
    public static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (hub != null) {
            hub.close();
        }
        if (anthropic != null) {
            anthropic.stop(0);
        }
    }

    private static Path extrasJar() throws IOException {
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(hub.home().resolve("extras"),
                "moryflow-provider-anthropic-*.jar")) {
            return jars.iterator().next();
        }
    }

    private static void answer(HttpExchange ex) throws IOException {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        received.add(ex.getRequestURI().getPath() + " " + body);
        headers.put("x-api-key", String.valueOf(ex.getRequestHeaders().getFirst("x-api-key")));
        headers.put("anthropic-version", String.valueOf(ex.getRequestHeaders().getFirst("anthropic-version")));
        boolean stream = body.contains("\"stream\":true");
        if (!stream) {
            byte[] whole = ("{\"id\":\"msg_0\",\"type\":\"message\",\"role\":\"assistant\",\"model\":"
                    + "\"claude-sonnet-4-5-20250929\",\"content\":[{\"type\":\"text\",\"text\":\"Checking.\"},"
                    + "{\"type\":\"tool_use\",\"id\":\"toolu_01Whole\",\"name\":\"get_weather\",\"input\":{\"location\":"
                    + "\"Paris\"}}],\"stop_reason\":\"tool_use\",\"usage\":{\"input_tokens\":40,\"output_tokens\":12}}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, whole.length);
            ex.getResponseBody().write(whole);
            ex.close();
            return;
        }
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            if (!body.contains("slow story")) {
                out.write(STREAM.getBytes(StandardCharsets.UTF_8));
                return;
            }
            out.write((STREAM.substring(0, STREAM.indexOf("event: content_block_start"))
                    + event("content_block_start", "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":"
                            + "{\"type\":\"text\",\"text\":\"\"}}")
                    + event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":"
                            + "\"text_delta\",\"text\":\"Once upon a time\"}}")).getBytes(StandardCharsets.UTF_8));
            out.flush();
            slowStarted.countDown();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < end) {
                TimeUnit.MILLISECONDS.sleep(50);
                out.write(event("ping", "{\"type\": \"ping\"}").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (InterruptedException | IOException gone) {
            // the hub closed the connection
        }
    }

    private static ChatCompletionCreateParams.Builder withTool(String message) {
        return ChatCompletionCreateParams.builder().model(MODEL).addUserMessage(message)
                .addFunctionTool(FunctionDefinition.builder().name("get_weather").description("Current weather")
                        .parameters(FunctionParameters.builder().putAdditionalProperty("type", JsonValue.from("object"))
                                .putAdditionalProperty("properties", JsonValue.from(Map.of("location",
                                        Map.of("type", "string"))))
                                .build())
                        .build());
    }

    @Test
    public void aTheJarDroppedIntoDeployMakesClaudeRoutable() {
        System.out.println("claude/claude-sonnet-4-5 routable " + routableAfterMs + " ms after the jar and the "
                + "configuration were dropped into deploy/");
        assertTrue("took " + routableAfterMs + " ms", routableAfterMs < 10_000);
    }

    @Test
    public void bWholeChatWithToolsThroughTheSdk() {
        ChatCompletion c = client.chat().completions().create(withTool("Weather in Paris?").build());
        ChatCompletion.Choice choice = c.choices().get(0);
        assertEquals("Checking.", choice.message().content().orElseThrow());
        ChatCompletionMessageFunctionToolCall call = choice.message().toolCalls().orElseThrow().get(0).asFunction();
        assertEquals("toolu_01Whole", call.id());
        assertEquals("get_weather", call.function().name());
        assertEquals("{\"location\":\"Paris\"}", call.function().arguments());
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, choice.finishReason());
        assertEquals(52L, c.usage().orElseThrow().totalTokens());
        assertEquals(KEY, headers.get("x-api-key"));
        assertEquals("2023-06-01", headers.get("anthropic-version"));
        assertTrue(received.toString(), received.stream().anyMatch(r -> r.startsWith("/v1/messages ")
                && r.contains("\"tools\":[{\"name\":\"get_weather\",\"description\":\"Current weather\","
                        + "\"input_schema\":{\"type\":\"object\"")));
    }

    @Test
    public void cStreamedChatWithToolsThroughTheSdk() {
        StringBuilder arguments = new StringBuilder();
        String id = null;
        long index = -1;
        String finish = null;
        String reasoning = null;
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions()
                .createStreaming(withTool("Weather in Paris, streamed?").build())) {
            for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
                for (ChatCompletionChunk.Choice ch : chunk.choices()) {
                    JsonValue r = ch.delta()._additionalProperties().get("reasoning_content");
                    if (r != null) {
                        reasoning = String.valueOf(r.asString().orElse(null));
                    }
                    for (ChatCompletionChunk.Choice.Delta.ToolCall t : ch.delta().toolCalls().orElse(List.of())) {
                        index = t.index();
                        if (t.id().isPresent()) {
                            id = t.id().get();
                        }
                        t.function().flatMap(ChatCompletionChunk.Choice.Delta.ToolCall.Function::arguments)
                                .ifPresent(arguments::append);
                    }
                    if (ch.finishReason().isPresent()) {
                        finish = ch.finishReason().get().asString();
                    }
                }
            }
        }
        assertEquals(0, index);
        assertEquals("toolu_01Stream", id);
        assertEquals("{\"location\": \"Paris\"}", arguments.toString());
        assertEquals("tool_calls", finish);
        assertEquals("Weather needs a tool.", reasoning);
    }

    @Test
    public void zRemovingTheJarWhileAChatStreamsEndsThatChatWithAnError() throws Exception {
        StringBuilder text = new StringBuilder();
        String failure = null;
        boolean removed = false;
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model(MODEL).addUserMessage("a slow story").build())) {
            for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
                chunk.choices().forEach(ch -> ch.delta().content().ifPresent(text::append));
                if (!removed && text.toString().contains("Once upon a time")) {
                    assertTrue(slowStarted.await(10, TimeUnit.SECONDS));
                    Files.delete(hub.home().resolve("deploy").resolve(extrasJar().getFileName()));
                    removed = true;
                }
            }
        } catch (RuntimeException e) {
            failure = e.getMessage();
        }
        assertTrue(text.toString(), text.toString().contains("Once upon a time"));
        assertTrue("the stream did not end with an error: " + text, failure != null
                && failure.contains("was removed while this chat was running"));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            java.net.http.HttpResponse<String> models = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(hub.base() + "/v1/models"))
                            .header("Authorization", "Bearer " + RunningHub.TOKEN).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            if (!models.body().contains(MODEL)) {
                break;
            }
            assertTrue("claude's models are still listed after the jar was removed", System.nanoTime() < end);
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }
}
