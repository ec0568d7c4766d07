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
 * <p>
 * A stream has no length limit (it is handed on as it arrives), so what is kept of its text is: at most
 * {@link #KEPT_CHARS} characters of content, reasoning and tool arguments together, for the hub's own callers
 * (events, the shell, the doctor); the rest is counted, not kept. A client of the gateway gets every event.
 */
final class StreamAssembler {

    /** The most characters of a streamed answer's text kept for its assembled whole. */
    static final int KEPT_CHARS = 1 << 20;
    private final int keptChars;
    private int kept;
    private long dropped;

    /** For a stream: keeps {@link #KEPT_CHARS} characters of its text. */
    StreamAssembler() {
        this(KEPT_CHARS);
    }

    /** @param keptChars the most characters of text kept ({@link Integer#MAX_VALUE} for a whole answer) */
    StreamAssembler(int keptChars) {
        this.keptChars = keptChars;
    }

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
            keep(content, p.content);
        } else if (p.refusal != null) {
            keep(content, p.refusal);
        }
        if (p.reasoning != null) {
            if (reasoning == null) {
                reasoning = new StringBuilder();
            }
            keep(reasoning, p.reasoning);
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
            if (args != null) {
                keep(call.arguments, args instanceof String ? (String) args : String.valueOf(args));
            }
        }
    }

    /** Appends what the budget of kept characters still allows; counts the rest. */
    private void keep(StringBuilder to, String text) {
        int room = keptChars - kept;
        if (text.length() <= room) {
            to.append(text);
            kept += text.length();
        } else {
            to.append(text, 0, Math.max(room, 0));
            kept = keptChars;
            dropped += text.length() - Math.max(room, 0);
        }
    }

    /** @return how many characters of text were counted but not kept (0 for an answer within the budget) */
    long dropped() {
        return dropped;
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
