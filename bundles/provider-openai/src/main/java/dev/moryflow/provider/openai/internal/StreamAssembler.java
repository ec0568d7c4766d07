package dev.moryflow.provider.openai.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.Usage;

/**
 * Builds the whole answer of a stream from its events: text and reasoning appended, the last finish reason and
 * usage kept, and tool call deltas merged by their {@code index} (id, type and name from the first delta that has
 * them, arguments concatenated). Confined to the thread reading the stream.
 */
final class StreamAssembler {

    private String id;
    private String model;
    private final StringBuilder content = new StringBuilder();
    private StringBuilder reasoning;
    private String finishReason;
    private Usage usage;
    private TreeMap<Integer, ToolCall> tools;
    private int lastTool = -1;

    void add(Piece p) {
        if (id == null) {
            id = p.id;
        }
        if (model == null) {
            model = p.model;
        }
        if (p.content != null) {
            content.append(p.content);
        } else if (p.refusal != null) {
            content.append(p.refusal);
        }
        if (p.reasoning != null) {
            if (reasoning == null) {
                reasoning = new StringBuilder();
            }
            reasoning.append(p.reasoning);
        }
        if (p.finishReason != null) {
            finishReason = p.finishReason;
        }
        if (p.usage != null) {
            usage = p.usage;
        }
        if (p.toolCalls != null) {
            for (Map<String, Object> delta : p.toolCalls) {
                addToolDelta(delta);
            }
        }
    }

    private void addToolDelta(Map<String, Object> delta) {
        if (tools == null) {
            tools = new TreeMap<>();
        }
        Object idx = delta.get("index");
        Object callId = delta.get("id");
        int index;
        if (idx instanceof Number) {
            index = ((Number) idx).intValue();
        } else if (callId != null && (lastTool < 0 || !callId.equals(tools.get(lastTool).id))) {
            index = tools.isEmpty() ? 0 : tools.lastKey() + 1;
        } else {
            index = Math.max(lastTool, 0);
        }
        lastTool = index;
        ToolCall call = tools.computeIfAbsent(index, i -> new ToolCall());
        if (call.id == null && callId instanceof String) {
            call.id = (String) callId;
        }
        if (call.type == null && delta.get("type") instanceof String) {
            call.type = (String) delta.get("type");
        }
        if (delta.get("function") instanceof Map) {
            Map<?, ?> f = (Map<?, ?>) delta.get("function");
            if (call.name == null && f.get("name") instanceof String) {
                call.name = (String) f.get("name");
            }
            Object args = f.get("arguments");
            if (args instanceof String) {
                call.arguments.append((String) args);
            } else if (args != null) {
                call.arguments.append(args);
            }
        }
    }

    /** @return whether a finish reason arrived */
    boolean finished() {
        return finishReason != null;
    }

    /**
     * @param providerId     the provider
     * @param requestedModel the model asked for, used when the stream did not name one
     * @return the whole answer
     */
    ChatResponse response(String providerId, String requestedModel) {
        return response(providerId, requestedModel, null);
    }

    /**
     * @param providerId     the provider
     * @param requestedModel the model asked for, used when the answer did not name one
     * @param raw            the upstream's whole JSON answer as it arrived, or null (a stream has none)
     * @return the whole answer, carrying {@code raw}
     */
    ChatResponse response(String providerId, String requestedModel, byte[] raw) {
        List<Map<String, Object>> calls = null;
        if (tools != null) {
            calls = new ArrayList<>();
            for (ToolCall t : tools.values()) {
                Map<String, Object> function = new LinkedHashMap<>();
                function.put("name", t.name);
                function.put("arguments", t.arguments.toString());
                Map<String, Object> call = new LinkedHashMap<>();
                call.put("id", t.id);
                call.put("type", t.type == null ? "function" : t.type);
                call.put("function", function);
                calls.add(call);
            }
        }
        return new ChatResponse(id, model == null ? requestedModel : model, providerId, content.toString(),
                reasoning == null ? null : reasoning.toString(), finishReason, usage, calls, raw);
    }

    private static final class ToolCall {
        String id;
        String type;
        String name;
        final StringBuilder arguments = new StringBuilder();
    }
}
