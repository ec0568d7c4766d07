package dev.moryflow.provider;

import java.util.List;
import java.util.Map;

/**
 * One streamed piece of an answer, as it arrived. Any field may be empty: the first chunk often carries only the
 * role, the last only the finish reason or the usage. Immutable.
 * <p>
 * A chunk of an OpenAI-compatible upstream also carries the {@code data} of its server-sent event as the upstream
 * sent it ({@link #raw()}), so that a gateway speaking the same protocol can hand the event on unchanged. Such a
 * chunk may have no content at all (a role-only or {@code logprobs}-only event): it is delivered for its raw JSON.
 */
public final class ChatChunk {

    private final String content;
    private final String reasoning;
    private final String finishReason;
    private final Usage usage;
    private final List<Map<String, Object>> toolCalls;
    private final byte[] raw;

    /**
     * @param content      text delta, empty when none
     * @param reasoning    reasoning delta, or null
     * @param finishReason the finish reason, on the last choice chunk, else null
     * @param usage        usage, on the usage chunk, else null
     * @param toolCalls    tool call deltas in the OpenAI shape, or null
     */
    public ChatChunk(String content, String reasoning, String finishReason, Usage usage,
            List<Map<String, Object>> toolCalls) {
        this(content, reasoning, finishReason, usage, toolCalls, null);
    }

    /**
     * @param content      text delta, empty when none
     * @param reasoning    reasoning delta, or null
     * @param finishReason the finish reason, on the last choice chunk, else null
     * @param usage        usage, on the usage chunk, else null
     * @param toolCalls    tool call deltas in the OpenAI shape, or null
     * @param raw          the upstream's SSE {@code data} JSON of this event exactly as it arrived (copied), or null
     * @since 2.2
     */
    public ChatChunk(String content, String reasoning, String finishReason, Usage usage,
            List<Map<String, Object>> toolCalls, byte[] raw) {
        this.raw = raw == null ? null : raw.clone();
        this.content = content == null ? "" : content;
        this.reasoning = reasoning;
        this.finishReason = finishReason;
        this.usage = usage;
        this.toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    /**
     * @param text a text delta
     * @return a chunk with only text
     */
    public static ChatChunk text(String text) {
        return new ChatChunk(text, null, null, null, null);
    }

    /** @return the text delta, never null */
    public String content() {
        return content;
    }

    /** @return the reasoning delta, or null */
    public String reasoning() {
        return reasoning;
    }

    /** @return the finish reason, or null */
    public String finishReason() {
        return finishReason;
    }

    /** @return the usage, or null */
    public Usage usage() {
        return usage;
    }

    /** @return tool call deltas, possibly empty */
    public List<Map<String, Object>> toolCalls() {
        return toolCalls;
    }

    /**
     * The {@code data} of the upstream's server-sent event that made this chunk, exactly as it arrived (UTF-8 JSON,
     * without the {@code data:} prefix), when the provider speaks the OpenAI wire format. Its {@code model} is the
     * upstream's.
     *
     * @return a copy of the event's JSON, or null
     * @since 2.2
     */
    public byte[] raw() {
        return raw == null ? null : raw.clone();
    }

    /** @return whether {@link #raw()} is present */
    public boolean hasRaw() {
        return raw != null;
    }

    @Override
    public String toString() {
        return "ChatChunk[" + content + (finishReason == null ? "" : ", finish=" + finishReason) + "]";
    }
}
