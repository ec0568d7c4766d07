package dev.moryflow.provider.anthropic.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.Test;

import com.fasterxml.jackson.core.JsonFactory;

import dev.moryflow.http.JsonValues;
import dev.moryflow.http.SseEvent;
import dev.moryflow.http.SseReader;
import dev.moryflow.provider.ChatChunk;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.Usage;

/** Messages API answers to the hub's normalized answer, whole and streamed, case by case. */
public class AnswerTranslatorTest {

    private final JsonFactory json = new JsonFactory();

    private Map<?, ?> map(String s) throws Exception {
        return (Map<?, ?>) JsonValues.parse(json, s);
    }

    /** Reads one of the documented event sequences in src/test/resources/anthropic. */
    static List<String> events(String name) throws Exception {
        List<String> out = new ArrayList<>();
        try (InputStream in = AnswerTranslatorTest.class.getResourceAsStream("/anthropic/" + name);
                SseReader reader = new SseReader(in)) {
            SseEvent e;
            while ((e = reader.next()) != null) {
                out.add(e.data());
            }
        }
        return out;
    }

    private List<ChatChunk> stream(AnswerTranslator t, List<String> events) throws Exception {
        List<ChatChunk> chunks = new ArrayList<>();
        for (String e : events) {
            ChatChunk c = t.event(map(e));
            if (c != null) {
                chunks.add(c);
            }
        }
        return chunks;
    }

    @Test
    public void aWholeAnswerGivesTextThinkingToolCallsStopReasonAndUsage() throws Exception {
        AnswerTranslator t = new AnswerTranslator(json);
        t.whole(map("{\"id\":\"msg_01\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\","
                + "\"content\":[{\"type\":\"thinking\",\"thinking\":\"User wants weather.\",\"signature\":\"abc\"},"
                + "{\"type\":\"redacted_thinking\",\"data\":\"xyz\"},"
                + "{\"type\":\"text\",\"text\":\"Let me check.\"},"
                + "{\"type\":\"tool_use\",\"id\":\"toolu_01\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\",\"days\":[1,2]}}],"
                + "\"stop_reason\":\"tool_use\",\"stop_sequence\":null,\"usage\":{\"input_tokens\":20,"
                + "\"cache_creation_input_tokens\":5,\"cache_read_input_tokens\":100,\"output_tokens\":30}}"));
        assertTrue(t.stopped());
        ChatResponse r = t.response("claude", "asked");
        assertEquals("msg_01", r.id());
        assertEquals("claude-sonnet-4-5", r.model());
        assertEquals("Let me check.", r.content());
        assertEquals("User wants weather.", r.reasoning());
        assertEquals("tool_calls", r.finishReason());
        assertEquals(new Usage(125, 30, 155, 100, 5), r.usage());
        assertEquals(List.of(Map.of("id", "toolu_01", "type", "function", "function",
                Map.of("name", "get_weather", "arguments", "{\"city\":\"Paris\",\"days\":[1,2]}"))), r.toolCalls());
        assertNull(r.raw());
    }

    @Test
    public void stopReasonsMapToFinishReasons() {
        assertEquals("stop", AnswerTranslator.finishReason("end_turn"));
        assertEquals("length", AnswerTranslator.finishReason("max_tokens"));
        assertEquals("stop", AnswerTranslator.finishReason("stop_sequence"));
        assertEquals("tool_calls", AnswerTranslator.finishReason("tool_use"));
        assertEquals("content_filter", AnswerTranslator.finishReason("refusal"));
        assertNull(AnswerTranslator.finishReason(null));
    }

    @Test
    public void aStreamedToolCallGivesOpenAiDeltasWithItsIndexAndIdArgumentsSplitMidToken() throws Exception {
        AnswerTranslator t = new AnswerTranslator(json);
        List<ChatChunk> chunks = stream(t, events("tool-use.sse"));
        assertTrue(t.stopped());
        assertEquals("Okay", chunks.get(0).content());
        assertEquals(", let's check the weather for San Francisco, CA:", chunks.get(1).content());
        // the tool_use block is content block 1, and the answer's first tool call: index 0, with its id
        assertEquals(List.of(Map.of("index", 0, "id", "toolu_01T1x1fJ34qAmk2tNTrN7Up6", "type", "function",
                "function", Map.of("name", "get_weather", "arguments", ""))), chunks.get(2).toolCalls());
        StringBuilder args = new StringBuilder();
        int i = 3;
        for (; chunks.get(i).finishReason() == null; i++) {
            Map<String, Object> delta = chunks.get(i).toolCalls().get(0);
            assertEquals(0, delta.get("index"));
            assertEquals(null, delta.get("id"));
            args.append(((Map<?, ?>) delta.get("function")).get("arguments"));
        }
        assertEquals("{\"location\": \"San Francisco, CA\", \"unit\": \"fahrenheit\"}", args.toString());
        assertEquals(" Francisc", ((Map<?, ?>) chunks.get(5).toolCalls().get(0).get("function")).get("arguments"));
        assertEquals("tool_calls", chunks.get(i).finishReason());
        assertEquals(i + 1, chunks.size());
        ChatResponse r = t.response("claude", "asked");
        assertEquals("Okay, let's check the weather for San Francisco, CA:", r.content());
        assertEquals("{\"location\": \"San Francisco, CA\", \"unit\": \"fahrenheit\"}",
                ((Map<?, ?>) r.toolCalls().get(0).get("function")).get("arguments"));
        assertEquals(new Usage(472, 89, 0), r.usage());
        assertEquals("msg_014p7gG3wDgGV9EUtLvnow3U", r.id());
    }

    @Test
    public void twoToolUseBlocksAreToolCallsZeroAndOne() throws Exception {
        AnswerTranslator t = new AnswerTranslator(json);
        List<ChatChunk> chunks = stream(t, List.of(
                "{\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"model\":\"c\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1}}}",
                "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"t0\",\"name\":\"a\",\"input\":{}}}",
                "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{}\"}}",
                "{\"type\":\"content_block_stop\",\"index\":0}",
                "{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"b\",\"input\":{}}}",
                "{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"x\\\":1}\"}}",
                "{\"type\":\"content_block_stop\",\"index\":1}",
                "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\"},\"usage\":{\"output_tokens\":9}}",
                "{\"type\":\"message_stop\"}"));
        assertEquals(1, chunks.get(2).toolCalls().get(0).get("index"));
        assertEquals("t1", chunks.get(2).toolCalls().get(0).get("id"));
        assertEquals(1, chunks.get(3).toolCalls().get(0).get("index"));
        List<Map<String, Object>> calls = t.response("p", "m").toolCalls();
        assertEquals("t0", calls.get(0).get("id"));
        assertEquals("{\"x\":1}", ((Map<?, ?>) calls.get(1).get("function")).get("arguments"));
    }

    @Test
    public void thinkingDeltasAreReasoningAndCacheTokensCountInThePrompt() throws Exception {
        AnswerTranslator t = new AnswerTranslator(json);
        List<ChatChunk> chunks = stream(t, events("thinking.sse"));
        assertEquals("Let me solve this step by step:\n\n1. First break down 27 * 453", chunks.get(0).reasoning());
        assertEquals("", chunks.get(0).content());
        assertEquals("\n2. 453 = 400 + 50 + 3", chunks.get(1).reasoning());
        assertEquals("27 * 453 = 12,231", chunks.get(2).content());
        assertEquals("stop", chunks.get(3).finishReason());
        assertEquals(4, chunks.size()); // the signature, ping and block starts and stops show nothing
        ChatResponse r = t.response("claude", "asked");
        assertEquals("Let me solve this step by step:\n\n1. First break down 27 * 453\n2. 453 = 400 + 50 + 3",
                r.reasoning());
        assertEquals(new Usage(127, 40, 0, 100, 15), r.usage());
    }

    @Test
    public void aStreamWithoutMessageStopIsNotComplete() throws Exception {
        AnswerTranslator t = new AnswerTranslator(json);
        stream(t, events("midstream-error.sse").subList(0, 3));
        assertTrue(!t.stopped());
        assertEquals("Hel", t.response("p", "m").content());
    }

    @Test
    public void theDocumentedSequencesAreReadAsSent() throws Exception {
        assertEquals(19, events("tool-use.sse").size());
        assertTrue(events("midstream-error.sse").get(3).contains("overloaded_error"));
        assertTrue(new String(AnswerTranslatorTest.class.getResourceAsStream("/anthropic/tool-use.sse").readAllBytes(),
                StandardCharsets.UTF_8).contains("event: ping"));
    }
}
