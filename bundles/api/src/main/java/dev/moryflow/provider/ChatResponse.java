package dev.moryflow.provider;

import java.util.List;
import java.util.Map;

/**
 * A whole chat answer. For a stream, the answer assembled from all chunks. Immutable.
 * <p>
 * A whole answer of an OpenAI-compatible upstream also carries the upstream's JSON body as it was sent
 * ({@link #raw()}), so that a gateway speaking the same protocol can hand it on with every field the hub does not
 * model ({@code logprobs}, {@code system_fingerprint}, usage details, provider extras, the upstream's {@code id}).
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
    private final byte[] raw;

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
        this(id, model, providerId, content, reasoning, finishReason, usage, toolCalls, null);
    }

    /**
     * @param id           the upstream's completion id, or null
     * @param model        the model that answered, as the upstream reports it (or as asked)
     * @param providerId   the provider that answered
     * @param content      the answer text, never null (empty when the model only called tools)
     * @param reasoning    reasoning content, or null
     * @param finishReason why the model stopped, or null
     * @param usage        token counts, or null when the provider did not report them
     * @param toolCalls    tool calls in the OpenAI shape, or null
     * @param raw          the upstream's JSON answer exactly as it arrived (copied), or null
     * @since 2.2
     */
    public ChatResponse(String id, String model, String providerId, String content, String reasoning,
            String finishReason, Usage usage, List<Map<String, Object>> toolCalls, byte[] raw) {
        this.raw = raw == null ? null : raw.clone();
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
     * The upstream's whole JSON answer exactly as it arrived, when the provider speaks the OpenAI wire format and
     * answered with one body. Its {@code model} is the upstream's; {@link #model()} may differ. Null for an answer
     * assembled from a stream, and for providers of other protocols.
     *
     * @return a copy of the upstream's JSON body, or null
     * @since 2.2
     */
    public byte[] raw() {
        return raw == null ? null : raw.clone();
    }

    /** @return whether {@link #raw()} is present */
    public boolean hasRaw() {
        return raw != null;
    }

    /**
     * @param otherProvider the provider id
     * @param otherModel    the model name
     * @return a copy naming another provider and model, with the same {@link #raw()} (this instance when both are
     *         equal)
     */
    public ChatResponse withOrigin(String otherProvider, String otherModel) {
        if (java.util.Objects.equals(otherProvider, providerId) && java.util.Objects.equals(otherModel, model)) {
            return this;
        }
        return new ChatResponse(id, otherModel, otherProvider, content, reasoning, finishReason, usage, toolCalls,
                raw);
    }

    @Override
    public String toString() {
        return "ChatResponse[" + providerId + "/" + model + ", finish=" + finishReason + ", " + usage + "]";
    }
}
