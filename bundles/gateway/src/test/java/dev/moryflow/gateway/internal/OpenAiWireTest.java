package dev.moryflow.gateway.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.Test;

import dev.moryflow.provider.ChatChunk;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.ContentPart;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;
import dev.moryflow.provider.Usage;

public class OpenAiWireTest {

    private final OpenAiWire wire = new OpenAiWire();

    private ParsedRequest parse(String json) throws WireException {
        return wire.parseChatRequest(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    @Test
    public void requestFieldsAreReadAndUnknownParametersPassThrough() throws Exception {
        ParsedRequest p = parse("{\"model\":\"groq/llama\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                + "\"temperature\":0.3,\"top_p\":0.9,\"max_tokens\":100,\"stop\":\"END\",\"seed\":7,"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],"
                + "\"messages\":[{\"role\":\"system\",\"content\":\"be brief\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"what is this?\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,AAA\"}}]},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c1\"}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"42\"}]}");
        assertTrue(p.stream);
        assertTrue(p.includeUsage);
        assertEquals("groq/llama", p.chat.model());
        assertEquals(0.3, p.chat.temperature(), 0);
        assertEquals(Integer.valueOf(100), p.chat.maxTokens());
        assertEquals(List.of("END"), p.chat.stop());
        assertEquals(7L, ((Number) p.chat.extra().get("seed")).longValue());
        assertTrue(p.chat.usesTools());
        assertTrue(p.chat.hasImages());
        assertEquals(ContentPart.image("data:image/png;base64,AAA"), p.chat.messages().get(1).parts().get(1));
        assertTrue(p.chat.messages().get(2).extra().containsKey("tool_calls"));
        assertEquals("c1", p.chat.messages().get(3).toolCallId());
        assertFalse("stream is not passed on as a parameter", p.chat.extra().containsKey("stream"));
    }

    @Test
    public void missingOrWrongFieldsNameTheParameter() {
        String[][] cases = {
                { "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "model" },
                { "{\"model\":\"m\"}", "messages" },
                { "{\"model\":\"m\",\"messages\":[]}", "messages" },
                { "{\"model\":\"m\",\"messages\":[{\"content\":\"x\"}]}", "messages[0].role" },
                { "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":5}]}", "messages[0].content" },
                { "{\"model\":\"m\",\"max_tokens\":-1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "max_tokens" },
                { "{\"model\":\"m\",\"temperature\":\"hot\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "temperature" },
                { "{\"model\":\"m\",\"n\":2,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "n" },
                { "{\"model\":\"m\",\"stream\":\"yes\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "stream" } };
        for (String[] c : cases) {
            try {
                parse(c[0]);
                fail("accepted " + c[0]);
            } catch (WireException e) {
                assertEquals(c[0], c[1], e.param());
            }
        }
    }

    @Test
    public void brokenJsonIsRefusedWithoutParam() {
        try {
            parse("{\"model\": ");
            fail();
        } catch (WireException e) {
            assertNull(e.param());
            assertTrue(e.getMessage().contains("not valid JSON"));
        }
    }

    @Test
    public void completionHasTheOpenAiShape() {
        String s = text(wire.completion(new ChatResponse("x", "llama", "groq", "Hi", null, "stop",
                new Usage(3, 1, 4), null), "chatcmpl-1", 1700000000L));
        assertEquals("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"llama\","
                + "\"provider\":\"groq\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}", s);
    }

    @Test
    public void toolCallAnswerHasNullContent() {
        String s = text(wire.completion(new ChatResponse(null, "m", "p", "", null, "tool_calls", null,
                List.of(Map.of("id", "c1"))), "id", 1L));
        assertTrue(s, s.contains("\"content\":null,\"tool_calls\":[{\"id\":\"c1\"}]"));
    }

    @Test
    public void chunksAreServerSentEvents() {
        String first = text(wire.chunkEvent(ChatChunk.text("He"), "id", 1L, "m", true));
        assertEquals("data: {\"id\":\"id\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"He\"},\"finish_reason\":null}]}\n\n",
                first);
        String last = text(wire.chunkEvent(new ChatChunk("", null, "stop", null, null), "id", 1L, "m", false));
        assertTrue(last, last.contains("\"delta\":{},\"finish_reason\":\"stop\""));
        String usage = text(wire.usageEvent(new Usage(1, 2, 3), "id", 1L, "m"));
        assertTrue(usage, usage.contains("\"choices\":[],\"usage\":{\"prompt_tokens\":1"));
    }

    @Test
    public void aTranslatedAnswerKeepsToolCallDeltasReasoningAndCacheDetails() {
        // what a provider of another protocol (Anthropic) hands on: no raw JSON, everything in the normalized types
        Map<String, Object> firstDelta = new java.util.LinkedHashMap<>();
        firstDelta.put("index", 1);
        firstDelta.put("id", "toolu_02");
        firstDelta.put("type", "function");
        firstDelta.put("function", Map.of("name", "get_weather", "arguments", ""));
        String start = text(wire.chunkEvent(new ChatChunk("", null, null, null, List.of(firstDelta)), "id", 1L, "m",
                false));
        assertTrue(start, start.contains("\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"toolu_02\","
                + "\"type\":\"function\",\"function\":{"));
        Map<String, Object> argsDelta = new java.util.LinkedHashMap<>();
        argsDelta.put("index", 1);
        argsDelta.put("function", Map.of("arguments", "{\"city\": \"Par"));
        String args = text(wire.chunkEvent(new ChatChunk("", null, null, null, List.of(argsDelta)), "id", 1L, "m",
                false));
        assertTrue(args, args.contains("\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":"
                + "\"{\\\"city\\\": \\\"Par\"}}]"));
        String thinking = text(wire.chunkEvent(new ChatChunk("", "Let me think", null, null, null), "id", 1L, "m",
                false));
        assertTrue(thinking, thinking.contains("\"delta\":{\"reasoning_content\":\"Let me think\"}"));
        String usage = text(wire.usageEvent(new Usage(120, 7, 0, 100, 15), "id", 1L, "m"));
        assertTrue(usage, usage.contains("\"usage\":{\"prompt_tokens\":120,\"completion_tokens\":7,"
                + "\"total_tokens\":127,\"prompt_tokens_details\":{\"cached_tokens\":100,"
                + "\"cache_creation_tokens\":15}}"));
        String whole = text(wire.completion(new ChatResponse("msg_1", "claude", "claude", "", "thought", "tool_calls",
                new Usage(3, 1, 4), List.of(Map.of("id", "toolu_01"))), "id", 1L));
        assertTrue(whole, whole.contains("\"content\":null,\"reasoning_content\":\"thought\",\"tool_calls\":"));
        assertTrue(whole, whole.endsWith("\"total_tokens\":4}}"));
    }

    @Test
    public void upstreamFailuresMapToGatewayStatuses() {
        assertEquals(404, ErrorMapping.of(new ProviderException(Problem.MODEL_NOT_FOUND, "x")).status);
        assertEquals(502, ErrorMapping.of(new ProviderException(Problem.AUTHENTICATION, "x")).status);
        assertEquals(503, ErrorMapping.of(new ProviderException(Problem.NOT_READY, "x")).status);
        assertEquals(504, ErrorMapping.of(new ProviderException(Problem.TIMEOUT, "x")).status);
        assertEquals(429, ErrorMapping.of(new ProviderException(Problem.RATE_LIMITED, "x")).status);
        String e = text(wire.error("bad", "invalid_request_error", "model", null));
        assertEquals("{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\",\"param\":\"model\",\"code\":null}}", e);
    }

    @Test
    public void theClientsBodyIsKeptByteForByte() throws Exception {
        String body = "{\"model\" : \"groq/llama\", \"max_completion_tokens\":1e2, \"vendor\":{},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        assertEquals(body, text(parse(body).chat.raw()));
    }

    @Test
    public void anUpstreamsJsonIsHandedOnWithOnlyTheTopLevelModelSetToTheClientsName() {
        String up = "{\"id\":\"up-1\", \"created\":17,\"model\":\"llama-3.3-70b-versatile\",\"x_groq\":"
                + "{\"model\":\"inner\"},\"choices\":[]}";
        assertEquals(up.replace("\"llama-3.3-70b-versatile\"", "\"groq/llama\""),
                text(wire.passedThrough(up.getBytes(StandardCharsets.UTF_8), "groq/llama")));
        assertEquals("data: " + up.replace("\"llama-3.3-70b-versatile\"", "\"groq/llama\"") + "\n\n",
                text(wire.passedThroughEvent(up.getBytes(StandardCharsets.UTF_8), "groq/llama")));
    }

    @Test
    public void anUpstreamsJsonWithoutModelIsLeftAsItIs() {
        String up = "{\"id\":\"up-1\",\"choices\":[{\"delta\":{\"content\":\"x\"}}]}";
        assertEquals(up, text(wire.passedThrough(up.getBytes(StandardCharsets.UTF_8), "groq/llama")));
    }
}
