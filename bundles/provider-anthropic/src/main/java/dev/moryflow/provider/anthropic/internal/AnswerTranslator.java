package dev.moryflow.provider.anthropic.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import dev.moryflow.http.JsonValues;
import dev.moryflow.provider.ChatChunk;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.Usage;

/**
 * Turns one Messages API answer into the hub's normalized answer: a whole {@code message} object at once
 * ({@link #whole}), or the events of its stream one by one ({@link #event}), each giving the
 * {@link ChatChunk} to hand on (in the OpenAI chat completions sense), and in both cases the {@link ChatResponse}
 * assembled ({@link #response}).
 * <p>
 * Blocks: {@code text} → content; {@code thinking} → reasoning ({@code redacted_thinking} and signatures have no
 * OpenAI counterpart and are not shown); {@code tool_use} → a tool call {@code {id, type: function, function: {name,
 * arguments}}} whose arguments are the input as a JSON string. Streamed, a {@code tool_use} block's start gives the
 * call's first delta ({@code index} — the call's position among the answer's tool calls, not the block's —,
 * {@code id}, {@code type}, {@code name}, empty arguments) and each {@code input_json_delta} an arguments delta of the
 * same {@code index}, its {@code partial_json} as it came (split anywhere, even inside a token). {@code stop_reason}
 * end_turn, stop_sequence → {@code stop}, max_tokens → {@code length}, tool_use → {@code tool_calls}, refusal →
 * {@code content_filter}, pause_turn → {@code stop}. Usage: prompt tokens are {@code input_tokens} with the cache's
 * reads and writes (OpenAI counts cached tokens in {@code prompt_tokens}); {@code message_delta}'s counts replace
 * {@code message_start}'s. One instance per answer, confined to the thread reading it.
 */
final class AnswerTranslator {

    private final JsonFactory json;
    private String id;
    private String model;
    private final StringBuilder content = new StringBuilder();
    private StringBuilder reasoning;
    private String finishReason;
    private int inputTokens;
    private int outputTokens;
    private int cacheRead;
    private int cacheCreation;
    private boolean usageSeen;
    private boolean stopped;
    /** Content block index to the position of its tool call. */
    private final Map<Integer, Integer> toolIndex = new HashMap<>();
    private final List<ToolCall> tools = new ArrayList<>();

    AnswerTranslator(JsonFactory json) {
        this.json = json;
    }

    // ---------------------------------------------------------------------------------------------------- whole

    /**
     * @param message a whole answer, the {@code message} object
     * @throws IllegalArgumentException when it is not a message (no {@code content} array)
     */
    void whole(Map<?, ?> message) {
        if (!(message.get("content") instanceof List)) {
            throw new IllegalArgumentException("the answer has no \"content\" array");
        }
        start(message);
        List<?> blocks = (List<?>) message.get("content");
        for (int i = 0; i < blocks.size(); i++) {
            if (!(blocks.get(i) instanceof Map)) {
                continue;
            }
            Map<?, ?> b = (Map<?, ?>) blocks.get(i);
            Object type = b.get("type");
            if ("text".equals(type)) {
                content.append(str(b.get("text")));
            } else if ("thinking".equals(type)) {
                reasoning(str(b.get("thinking")));
            } else if ("tool_use".equals(type)) {
                ToolCall t = newTool(i, b);
                t.arguments.append(b.get("input") == null ? "{}" : write(b.get("input")));
            }
        }
        finishReason = finishReason(message.get("stop_reason"));
        stopped = true;
    }

    // -------------------------------------------------------------------------------------------------- stream

    /**
     * @param e one stream event's data, parsed
     * @return the chunk to hand on, or null when the event shows nothing ({@code message_start}, {@code ping},
     *         block starts of text and thinking, block stops, {@code message_stop})
     */
    ChatChunk event(Map<?, ?> e) {
        Object type = e.get("type");
        if ("message_start".equals(type) && e.get("message") instanceof Map) {
            start((Map<?, ?>) e.get("message"));
            return null;
        }
        if ("content_block_start".equals(type) && e.get("content_block") instanceof Map) {
            Map<?, ?> b = (Map<?, ?>) e.get("content_block");
            int index = index(e);
            if ("tool_use".equals(b.get("type"))) {
                ToolCall t = newTool(index, b);
                Map<String, Object> function = new LinkedHashMap<>();
                function.put("name", t.name);
                function.put("arguments", "");
                Map<String, Object> delta = new LinkedHashMap<>();
                delta.put("index", t.position);
                delta.put("id", t.id);
                delta.put("type", "function");
                delta.put("function", function);
                return new ChatChunk("", null, null, null, List.of(delta));
            }
            if ("text".equals(b.get("type")) && !str(b.get("text")).isEmpty()) {
                content.append(str(b.get("text")));
                return ChatChunk.text(str(b.get("text")));
            }
            return null;
        }
        if ("content_block_delta".equals(type) && e.get("delta") instanceof Map) {
            Map<?, ?> d = (Map<?, ?>) e.get("delta");
            Object kind = d.get("type");
            if ("text_delta".equals(kind)) {
                String text = str(d.get("text"));
                content.append(text);
                return text.isEmpty() ? null : ChatChunk.text(text);
            }
            if ("thinking_delta".equals(kind)) {
                String thought = str(d.get("thinking"));
                reasoning(thought);
                return thought.isEmpty() ? null : new ChatChunk("", thought, null, null, null);
            }
            if ("input_json_delta".equals(kind)) {
                Integer position = toolIndex.get(index(e));
                String part = str(d.get("partial_json"));
                if (position == null || part.isEmpty()) {
                    return null;
                }
                tools.get(position).arguments.append(part);
                Map<String, Object> delta = new LinkedHashMap<>();
                delta.put("index", position);
                delta.put("function", Map.of("arguments", part));
                return new ChatChunk("", null, null, null, List.of(delta));
            }
            return null; // signature_delta, citations_delta: no OpenAI counterpart
        }
        if ("message_delta".equals(type)) {
            if (e.get("usage") instanceof Map) {
                usage((Map<?, ?>) e.get("usage"));
            }
            Object stop = e.get("delta") instanceof Map ? ((Map<?, ?>) e.get("delta")).get("stop_reason") : null;
            if (stop != null) {
                finishReason = finishReason(stop);
                return new ChatChunk("", null, finishReason, null, null);
            }
            return null;
        }
        if ("message_stop".equals(type)) {
            stopped = true;
        }
        return null;
    }

    /** @return whether the answer is complete: a whole answer read, or {@code message_stop} seen */
    boolean stopped() {
        return stopped;
    }

    // ------------------------------------------------------------------------------------------------- answer

    /**
     * @param providerId     the provider
     * @param requestedModel the model asked for, used when the answer did not name one
     * @return the whole answer (no raw JSON: the gateway writes OpenAI JSON from it)
     */
    ChatResponse response(String providerId, String requestedModel) {
        List<Map<String, Object>> calls = null;
        if (!tools.isEmpty()) {
            calls = new ArrayList<>();
            for (ToolCall t : tools) {
                Map<String, Object> function = new LinkedHashMap<>();
                function.put("name", t.name);
                function.put("arguments", t.arguments.length() == 0 ? "{}" : t.arguments.toString());
                Map<String, Object> call = new LinkedHashMap<>();
                call.put("id", t.id);
                call.put("type", "function");
                call.put("function", function);
                calls.add(call);
            }
        }
        Usage usage = usageSeen ? new Usage(inputTokens + cacheRead + cacheCreation, outputTokens, 0, cacheRead,
                cacheCreation) : null;
        return new ChatResponse(id, model == null ? requestedModel : model, providerId, content.toString(),
                reasoning == null ? null : reasoning.toString(), finishReason, usage, calls);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private void start(Map<?, ?> message) {
        if (message.get("id") instanceof String) {
            id = (String) message.get("id");
        }
        if (message.get("model") instanceof String) {
            model = (String) message.get("model");
        }
        if (message.get("usage") instanceof Map) {
            usage((Map<?, ?>) message.get("usage"));
        }
    }

    private void usage(Map<?, ?> u) {
        usageSeen = true;
        inputTokens = count(u, "input_tokens", inputTokens);
        outputTokens = count(u, "output_tokens", outputTokens);
        cacheRead = count(u, "cache_read_input_tokens", cacheRead);
        cacheCreation = count(u, "cache_creation_input_tokens", cacheCreation);
    }

    private static int count(Map<?, ?> u, String field, int before) {
        Object v = u.get(field);
        return v instanceof Number ? ((Number) v).intValue() : before;
    }

    private void reasoning(String thought) {
        if (reasoning == null) {
            reasoning = new StringBuilder();
        }
        reasoning.append(thought);
    }

    private ToolCall newTool(int blockIndex, Map<?, ?> block) {
        ToolCall t = new ToolCall(tools.size(), str(block.get("id")), str(block.get("name")));
        tools.add(t);
        toolIndex.put(blockIndex, t.position);
        return t;
    }

    private static int index(Map<?, ?> e) {
        return e.get("index") instanceof Number ? ((Number) e.get("index")).intValue() : -1;
    }

    static String finishReason(Object stopReason) {
        if (stopReason == null) {
            return null;
        }
        switch (String.valueOf(stopReason)) {
            case "end_turn":
            case "stop_sequence":
            case "pause_turn":
                return "stop";
            case "max_tokens":
                return "length";
            case "tool_use":
                return "tool_calls";
            case "refusal":
                return "content_filter";
            default:
                return String.valueOf(stopReason);
        }
    }

    private String write(Object value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = json.createGenerator(out)) {
            JsonValues.write(g, value);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String str(Object o) {
        return o instanceof String ? (String) o : "";
    }

    private static final class ToolCall {
        final int position;
        final String id;
        final String name;
        final StringBuilder arguments = new StringBuilder();

        ToolCall(int position, String id, String name) {
            this.position = position;
            this.id = id;
            this.name = name;
        }
    }
}
