package dev.moryflow.provider;

import java.util.List;
import java.util.Map;

/**
 * A whole chat answer. For a stream, the answer assembled from all chunks. Immutable.
 */
public final class ChatResponse {

    private final String id;
    private final String model;
    private final String providerId;
    private final String content;
    private final String reasoning;
    private final String finishReason;
    private final Usage usage;
    private final List<Map<String, Object>> toolCalls;

    /**
     * @param id           the upstream's completion id, or null
     * @param model        the model that answered, as the upstream reports it (or as asked)
     * @param providerId   the provider that answered
     * @param content      the answer text, never null (empty when the model only called tools)
     * @param reasoning    reasoning content, or null
     * @param finishReason why the model stopped ({@code stop}, {@code length}, {@code tool_calls}, …), or null
     * @param usage        token counts, or null when the provider did not report them
     * @param toolCalls    tool calls in the OpenAI shape, or null
     */
    public ChatResponse(String id, String model, String providerId, String content, String reasoning,
            String finishReason, Usage usage, List<Map<String, Object>> toolCalls) {
        this.id = id;
        this.model = model;
        this.providerId = providerId;
        this.content = content == null ? "" : content;
        this.reasoning = reasoning;
        this.finishReason = finishReason;
        this.usage = usage;
        this.toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    /** @return the completion id, or null */
    public String id() {
        return id;
    }

    /** @return the model */
    public String model() {
        return model;
    }

    /** @return the provider id */
    public String providerId() {
        return providerId;
    }

    /** @return the answer text, never null */
    public String content() {
        return content;
    }

    /** @return reasoning content, or null */
    public String reasoning() {
        return reasoning;
    }

    /** @return the finish reason, or null */
    public String finishReason() {
        return finishReason;
    }

    /** @return usage, or null when not reported */
    public Usage usage() {
        return usage;
    }

    /** @return tool calls in the OpenAI shape, possibly empty */
    public List<Map<String, Object>> toolCalls() {
        return toolCalls;
    }

    /**
     * @param otherProvider the provider id
     * @param otherModel    the model name
     * @return a copy naming another provider and model (this instance when both are equal)
     */
    public ChatResponse withOrigin(String otherProvider, String otherModel) {
        if (java.util.Objects.equals(otherProvider, providerId) && java.util.Objects.equals(otherModel, model)) {
            return this;
        }
        return new ChatResponse(id, otherModel, otherProvider, content, reasoning, finishReason, usage, toolCalls);
    }

    @Override
    public String toString() {
        return "ChatResponse[" + providerId + "/" + model + ", finish=" + finishReason + ", " + usage + "]";
    }
}
