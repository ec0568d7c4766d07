package dev.moryflow.provider;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One message of a conversation. Content is either plain text ({@link #content()}) or a list of parts
 * ({@link #parts()}) for messages with images. Fields this type does not model (for example {@code tool_calls} of an
 * assistant message) travel in {@link #extra()} and are sent to the provider as they are. Immutable.
 */
public final class ChatMessage {

    /** Role of system instructions. */
    public static final String SYSTEM = "system";
    /** Role of the user's messages. */
    public static final String USER = "user";
    /** Role of the model's answers. */
    public static final String ASSISTANT = "assistant";
    /** Role of tool results. */
    public static final String TOOL = "tool";

    private final String role;
    private final String content;
    private final List<ContentPart> parts;
    private final String name;
    private final String toolCallId;
    private final Map<String, Object> extra;

    /**
     * @param role       the role, not blank
     * @param content    the text content, or null when the content is given as parts (or absent)
     * @param parts      the content parts, or null
     * @param name       the participant name, or null
     * @param toolCallId the id of the tool call a tool message answers, or null
     * @param extra      further fields, sent as they are; JSON-like values only (String, Number, Boolean, List, Map)
     */
    public ChatMessage(String role, String content, List<ContentPart> parts, String name, String toolCallId,
            Map<String, Object> extra) {
        if (role == null || role.isBlank()) {
            throw new IllegalArgumentException("message role must not be blank");
        }
        this.role = role;
        this.content = content;
        this.parts = parts == null ? List.of() : List.copyOf(parts);
        this.name = name;
        this.toolCallId = toolCallId;
        this.extra = extra == null || extra.isEmpty() ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    /**
     * @param role    the role
     * @param content the text
     * @return a plain text message
     */
    public static ChatMessage of(String role, String content) {
        return new ChatMessage(role, content, null, null, null, null);
    }

    /**
     * @param content the text
     * @return a user message
     */
    public static ChatMessage user(String content) {
        return of(USER, content);
    }

    /**
     * @param content the text
     * @return a system message
     */
    public static ChatMessage system(String content) {
        return of(SYSTEM, content);
    }

    /** @return the role */
    public String role() {
        return role;
    }

    /** @return the text content, or null when given as parts */
    public String content() {
        return content;
    }

    /** @return the content parts, empty for plain text messages */
    public List<ContentPart> parts() {
        return parts;
    }

    /** @return the participant name, or null */
    public String name() {
        return name;
    }

    /** @return the tool call id, or null */
    public String toolCallId() {
        return toolCallId;
    }

    /** @return further fields, unmodifiable */
    public Map<String, Object> extra() {
        return extra;
    }

    /** @return whether any part is an image */
    public boolean hasImages() {
        return parts.stream().anyMatch(p -> ContentPart.IMAGE_URL.equals(p.type()));
    }

    /** @return all text of this message: the content, or the text parts joined by newlines */
    public String text() {
        if (content != null) {
            return content;
        }
        StringBuilder sb = new StringBuilder();
        for (ContentPart p : parts) {
            if (p.text() != null) {
                if (sb.length() > 0) {
                    sb.append('\n');
                }
                sb.append(p.text());
            }
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ChatMessage)) {
            return false;
        }
        ChatMessage m = (ChatMessage) o;
        return role.equals(m.role) && Objects.equals(content, m.content) && parts.equals(m.parts)
                && Objects.equals(name, m.name) && Objects.equals(toolCallId, m.toolCallId) && extra.equals(m.extra);
    }

    @Override
    public int hashCode() {
        return Objects.hash(role, content, parts, name, toolCallId, extra);
    }

    @Override
    public String toString() {
        return role + ": " + text();
    }
}
