package dev.moryflow.provider;

import java.util.List;
import java.util.Map;

/**
 * One streamed piece of an answer, as it arrived. Any field may be empty: the first chunk often carries only the
 * role, the last only the finish reason or the usage. Immutable.
 */
public final class ChatChunk {

    private final String content;
    private final String reasoning;
    private final String finishReason;
    private final Usage usage;
    private final List<Map<String, Object>> toolCalls;

    /**
     * @param content      text delta, empty when none
     * @param reasoning    reasoning delta, or null
     * @param finishReason the finish reason, on the last choice chunk, else null
     * @param usage        usage, on the usage chunk, else null
     * @param toolCalls    tool call deltas in the OpenAI shape, or null
     */
    public ChatChunk(String content, String reasoning, String finishReason, Usage usage,
            List<Map<String, Object>> toolCalls) {
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

    @Override
    public String toString() {
        return "ChatChunk[" + content + (finishReason == null ? "" : ", finish=" + finishReason) + "]";
    }
}
