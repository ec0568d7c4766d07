package dev.moryflow.provider.openai.internal;

import java.util.List;
import java.util.Map;

import dev.moryflow.provider.ChatChunk;
import dev.moryflow.provider.Usage;

/**
 * What one answer, or one stream event, said: read by {@link OpenAiCodec}, used once. Mutable, confined to the
 * thread that reads the answer.
 */
final class Piece {
    String id;
    String model;
    /** Whether the top level had a {@code choices} array. */
    boolean hasChoices;
    /** How many choices the array held. */
    int choiceCount;
    /** Whether the choice taken had a {@code message} (or, streamed, a {@code delta}). */
    boolean hasMessage;
    String content;
    String reasoning;
    String refusal;
    String finishReason;
    Usage usage;
    List<Map<String, Object>> toolCalls;
    /** The value of an {@code error} field, when the answer carried one. */
    Object error;

    /** @return the chunk to hand to a stream listener, or null when this event carries nothing to show */
    ChatChunk toChunk() {
        return toChunk(null, false);
    }

    /**
     * @param raw       the event's data as the upstream sent it, attached to the chunk, or null
     * @param evenEmpty whether an event that carries nothing to show makes a chunk too (passed through for its raw
     *                  JSON: a role-only or logprobs-only event)
     * @return the chunk to hand to a stream listener, or null when this event carries nothing to show and
     *         {@code evenEmpty} is false
     */
    ChatChunk toChunk(byte[] raw, boolean evenEmpty) {
        String text = content != null ? content : refusal;
        boolean empty = (text == null || text.isEmpty()) && reasoning == null && finishReason == null
                && usage == null && (toolCalls == null || toolCalls.isEmpty());
        return empty && !evenEmpty ? null : new ChatChunk(text, reasoning, finishReason, usage, toolCalls, raw);
    }

    /** @return whether this event is the usage-only chunk of {@code stream_options.include_usage}: no choices */
    boolean usageOnly() {
        return usage != null && choiceCount == 0;
    }
}
