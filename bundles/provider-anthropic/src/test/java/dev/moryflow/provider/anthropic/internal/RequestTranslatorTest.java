package dev.moryflow.provider.anthropic.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.Test;

import com.fasterxml.jackson.core.JsonFactory;

import dev.moryflow.http.JsonValues;
import dev.moryflow.provider.ChatMessage;
import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.ContentPart;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;

/** The OpenAI request shape to the Messages API, case by case; refusals name the field. */
public class RequestTranslatorTest {

    private final RequestTranslator translator = new RequestTranslator();

    /** Translates a client's OpenAI body (as the gateway hands it on: raw bytes beside the parsed request). */
    private Map<?, ?> fromClient(String openAiBody) throws Exception {
        ChatRequest r = ChatRequest.builder("claude-x").message(ChatMessage.user("(parsed)"))
                .raw(openAiBody.getBytes(StandardCharsets.UTF_8)).build();
        return parse(translator.write(r, 1024, false));
    }

    private static Map<?, ?> parse(byte[] body) throws Exception {
        return (Map<?, ?>) JsonValues.parse(new JsonFactory(), new String(body, StandardCharsets.UTF_8));
    }

    private static String json(Object v) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (com.fasterxml.jackson.core.JsonGenerator g = new JsonFactory().createGenerator(out)) {
            JsonValues.write(g, v);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private ProviderException refusal(String openAiBody) throws Exception {
        try {
            fromClient(openAiBody);
        } catch (ProviderException e) {
            assertEquals(Problem.BAD_REQUEST, e.problem());
            return e;
        }
        throw new AssertionError("not refused: " + openAiBody);
    }

    private static String body(String messages, String more) {
        return "{\"model\":\"claude/claude-x\",\"messages\":" + messages + (more.isEmpty() ? "" : "," + more) + "}";
    }

    private static final String HI = "[{\"role\":\"user\",\"content\":\"hi\"}]";

    @Test
    public void systemAndDeveloperMessagesBecomeTheSystemBlocks() throws Exception {
        Map<?, ?> b = fromClient(body("[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"developer\",\"content\":[{\"type\":\"text\",\"text\":\"Use French.\","
                + "\"cache_control\":{\"type\":\"ephemeral\"}}]},{\"role\":\"user\",\"content\":\"hi\"}]", ""));
        assertEquals("[{\"type\":\"text\",\"text\":\"Be brief.\"},{\"type\":\"text\",\"text\":\"Use French.\","
                + "\"cache_control\":{\"type\":\"ephemeral\"}}]", json(b.get("system")));
        assertEquals("[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}]", json(b.get("messages")));
        assertEquals("claude-x", b.get("model"));
    }

    @Test
    public void consecutiveTurnsOfOneRoleAreMerged() throws Exception {
        Map<?, ?> b = fromClient(body("[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"user\",\"content\":\"b\"},"
                + "{\"role\":\"assistant\",\"content\":\"c\"},{\"role\":\"assistant\",\"content\":\"d\"},"
                + "{\"role\":\"user\",\"content\":\"e\"}]", ""));
        assertEquals("[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"text\",\"text\":\"b\"}]},"
                + "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"c\"},{\"type\":\"text\",\"text\":\"d\"}]},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"e\"}]}]", json(b.get("messages")));
    }

    @Test
    public void imagesBecomeBase64OrUrlSources() throws Exception {
        Map<?, ?> b = fromClient(body("[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"what?\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/PNG;base64,iVBORw0KGgo=\",\"detail\":\"high\"}},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/cat.jpg\"}}]}]", ""));
        assertEquals("[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"what?\"},"
                + "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"iVBORw0KGgo=\"}},"
                + "{\"type\":\"image\",\"source\":{\"type\":\"url\",\"url\":\"https://example.com/cat.jpg\"}}]}]",
                json(b.get("messages")));
    }

    @Test
    public void anImageThatIsNeitherDataNorHttpIsRefusedNamingIt() throws Exception {
        ProviderException e = refusal(body("[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
                + "\"image_url\":{\"url\":\"file:///etc/passwd\"}}]}]", ""));
        assertTrue(e.getMessage(), e.getMessage().contains("[messages[0].content[0].image_url.url]"));
    }

    @Test
    public void audioAndFilePartsAreRefusedNamingThePart() throws Exception {
        ProviderException e = refusal(body("[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"x\"},"
                + "{\"type\":\"input_audio\",\"input_audio\":{\"data\":\"AAA\",\"format\":\"wav\"}}]}]", ""));
        assertTrue(e.getMessage(), e.getMessage().contains("[messages[0].content[1].type]"));
        assertTrue(e.getMessage(), e.getMessage().contains("input_audio"));
    }

    @Test
    public void toolsBecomeNameDescriptionAndInputSchema() throws Exception {
        Map<?, ?> b = fromClient(body(HI, "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"description\":\"Weather of a city\",\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":"
                + "{\"type\":\"string\"}},\"required\":[\"city\"]}}},{\"type\":\"function\",\"function\":{\"name\":\"now\"}}]"));
        assertEquals("[{\"name\":\"get_weather\",\"description\":\"Weather of a city\",\"input_schema\":{\"type\":"
                + "\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}},"
                + "{\"name\":\"now\",\"input_schema\":{\"type\":\"object\",\"properties\":{}}}]", json(b.get("tools")));
        assertFalse("no tool_choice unless asked for", b.containsKey("tool_choice"));
    }

    private static final String TOOL = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]";

    @Test
    public void toolChoiceMapsAutoNoneRequiredAndNamed() throws Exception {
        assertEquals("{\"type\":\"auto\"}", json(fromClient(body(HI, TOOL + ",\"tool_choice\":\"auto\"")).get("tool_choice")));
        assertEquals("{\"type\":\"none\"}", json(fromClient(body(HI, TOOL + ",\"tool_choice\":\"none\"")).get("tool_choice")));
        assertEquals("{\"type\":\"any\"}", json(fromClient(body(HI, TOOL + ",\"tool_choice\":\"required\"")).get("tool_choice")));
        assertEquals("{\"type\":\"tool\",\"name\":\"f\"}", json(fromClient(body(HI, TOOL
                + ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"f\"}}")).get("tool_choice")));
    }

    @Test
    public void parallelToolCallsFalseDisablesParallelToolUse() throws Exception {
        assertEquals("{\"type\":\"auto\",\"disable_parallel_tool_use\":true}",
                json(fromClient(body(HI, TOOL + ",\"parallel_tool_calls\":false")).get("tool_choice")));
        assertEquals("{\"type\":\"any\",\"disable_parallel_tool_use\":true}", json(fromClient(body(HI, TOOL
                + ",\"tool_choice\":\"required\",\"parallel_tool_calls\":false")).get("tool_choice")));
        assertFalse(fromClient(body(HI, TOOL + ",\"parallel_tool_calls\":true")).containsKey("tool_choice"));
    }

    @Test
    public void nonFunctionToolsAndToolChoiceWithoutToolsAreRefused() throws Exception {
        assertTrue(refusal(body(HI, "\"tools\":[{\"type\":\"custom\",\"custom\":{\"name\":\"x\"}}]")).getMessage()
                .contains("[tools[0].type]"));
        assertTrue(refusal(body(HI, "\"tool_choice\":\"required\"")).getMessage().contains("[tool_choice]"));
    }

    @Test
    public void assistantToolCallsBecomeToolUseAndToolMessagesToolResultsOfOneUserTurn() throws Exception {
        Map<?, ?> b = fromClient(body("[{\"role\":\"user\",\"content\":\"weather in Paris and Rome?\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
                + "{\"id\":\"toolu_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}},"
                + "{\"id\":\"toolu_2\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Rome\\\"}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"toolu_1\",\"content\":\"18C\"},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"toolu_2\",\"content\":[{\"type\":\"text\",\"text\":\"24C\"}]},"
                + "{\"role\":\"user\",\"content\":\"and so?\"}]", TOOL));
        assertEquals("[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"weather in Paris and Rome?\"}]},"
                + "{\"role\":\"assistant\",\"content\":["
                + "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}},"
                + "{\"type\":\"tool_use\",\"id\":\"toolu_2\",\"name\":\"get_weather\",\"input\":{\"city\":\"Rome\"}}]},"
                + "{\"role\":\"user\",\"content\":["
                + "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":\"18C\"},"
                + "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_2\",\"content\":[{\"type\":\"text\",\"text\":\"24C\"}]},"
                + "{\"type\":\"text\",\"text\":\"and so?\"}]}]", json(b.get("messages")));
    }

    @Test
    public void argumentsThatAreNotAJsonObjectAreRefused() throws Exception {
        ProviderException e = refusal(body("[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"assistant\","
                + "\"tool_calls\":[{\"id\":\"t\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"[1,\"}}]}]",
                ""));
        assertTrue(e.getMessage(), e.getMessage().contains("[messages[1].tool_calls[0].function.arguments]"));
    }

    @Test
    public void samplingStopAndLimitsCarryOver() throws Exception {
        Map<?, ?> b = fromClient(body(HI, "\"temperature\":0.3,\"top_p\":0.9,\"stop\":\"END\",\"max_tokens\":50,"
                + "\"max_completion_tokens\":200,\"user\":\"u-42\",\"top_k\":5,"
                + "\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024},\"stream_options\":{\"include_usage\":true},"
                + "\"store\":false,\"n\":1,\"logprobs\":false,\"response_format\":{\"type\":\"text\"}"));
        assertEquals(200, ((Number) b.get("max_tokens")).intValue());
        assertEquals(0.3, ((Number) b.get("temperature")).doubleValue(), 0);
        assertEquals(0.9, ((Number) b.get("top_p")).doubleValue(), 0);
        assertEquals(List.of("END"), b.get("stop_sequences"));
        assertEquals(Map.of("user_id", "u-42"), b.get("metadata"));
        assertEquals(5, ((Number) b.get("top_k")).intValue());
        assertEquals("{\"type\":\"enabled\",\"budget_tokens\":1024}", json(b.get("thinking")));
        assertFalse(b.containsKey("store"));
        assertFalse(b.containsKey("stream"));
        assertEquals(List.of("a", "b"), fromClient(body(HI, "\"stop\":[\"a\",\"b\"]")).get("stop_sequences"));
        assertEquals(50, ((Number) fromClient(body(HI, "\"max_tokens\":50")).get("max_tokens")).intValue());
    }

    @Test
    public void theConfiguredMaxTokensIsSentWhenTheRequestHasNone() throws Exception {
        assertEquals(1024, ((Number) fromClient(body(HI, "")).get("max_tokens")).intValue());
    }

    @Test
    public void aTemperatureAboveOneIsRefused() throws Exception {
        ProviderException e = refusal(body(HI, "\"temperature\":1.5"));
        assertTrue(e.getMessage(), e.getMessage().contains("[temperature]"));
    }

    @Test
    public void whatTheMessagesApiCannotExpressIsRefusedNamingTheParameter() throws Exception {
        for (String p : new String[] { "\"logit_bias\":{\"50256\":-100}", "\"n\":2", "\"logprobs\":true",
                "\"frequency_penalty\":0.5", "\"seed\":7", "\"response_format\":{\"type\":\"json_object\"}",
                "\"reasoning_effort\":\"high\"", "\"vendor_knob\":1" }) {
            String name = p.substring(1, p.indexOf('"', 1));
            ProviderException e = refusal(body(HI, p));
            assertTrue(e.getMessage(), e.getMessage().contains("[" + name + "]"));
        }
    }

    @Test
    public void rolesTheApiLacksAndOnlySystemMessagesAreRefused() throws Exception {
        assertTrue(refusal(body("[{\"role\":\"function\",\"name\":\"f\",\"content\":\"x\"}]", "")).getMessage()
                .contains("[messages[0].role]"));
        assertTrue(refusal(body("[{\"role\":\"system\",\"content\":\"x\"}]", "")).getMessage().contains("[messages]"));
    }

    @Test
    public void theNormalizedRequestOfTheHubsOwnCallersTranslatesTheSameWay() throws Exception {
        ChatRequest r = ChatRequest.builder("claude-x").message(ChatMessage.system("sys"))
                .message(new ChatMessage("user", null, List.of(ContentPart.text("look"),
                        ContentPart.image("data:image/jpeg;base64,/9j/4AAQ")), null, null, null))
                .temperature(0.5).maxTokens(77).stop(List.of("X"))
                .extra("tools", List.of(Map.of("type", "function", "function", Map.of("name", "f"))))
                .extra("tool_choice", "required").build();
        Map<?, ?> b = parse(translator.write(r, 1024, true));
        assertEquals("[{\"type\":\"text\",\"text\":\"sys\"}]", json(b.get("system")));
        assertEquals("[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"look\"},{\"type\":\"image\","
                + "\"source\":{\"type\":\"base64\",\"media_type\":\"image/jpeg\",\"data\":\"/9j/4AAQ\"}}]}]",
                json(b.get("messages")));
        assertEquals(77, ((Number) b.get("max_tokens")).intValue());
        assertEquals(List.of("X"), b.get("stop_sequences"));
        assertEquals("{\"type\":\"any\"}", json(b.get("tool_choice")));
        assertEquals(Boolean.TRUE, b.get("stream"));
    }

    @Test
    public void anEmptyUserMessageIsRefused() throws Exception {
        try {
            fromClient(body("[{\"role\":\"user\",\"content\":\"\"}]", ""));
            fail();
        } catch (ProviderException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("[messages[0].content]"));
        }
    }
}
