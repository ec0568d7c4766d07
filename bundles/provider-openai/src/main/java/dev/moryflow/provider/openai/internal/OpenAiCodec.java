package dev.moryflow.provider.openai.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

import dev.moryflow.http.JsonValues;
import dev.moryflow.http.Problems;
import dev.moryflow.provider.ChatMessage;
import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.ContentPart;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;
import dev.moryflow.provider.Usage;

/**
 * The OpenAI chat completions wire format, written and read with Jackson's streaming API (no data binding, no
 * reflection): request bodies from a {@link ChatRequest}, and answers, stream events and model lists into plain
 * values. Tolerant of what compatible servers add or leave out (missing {@code id} or {@code usage}, extra fields,
 * {@code reasoning_content} or {@code reasoning}, content given as parts); strict where the answer is unusable, with
 * a {@link Problem#RESPONSE_FORMAT} message naming what is missing. Thread-safe: one instance serves all requests.
 */
final class OpenAiCodec {

    private static final Set<String> REQUEST_FIELDS = Set.of("model", "messages", "stream");
    private static final Set<String> MESSAGE_FIELDS = Set.of("role", "content", "name", "tool_call_id");
    private static final int SHOWN = 200;

    private final JsonFactory factory = JsonFactory.builder()
            // an answer is bounded as a whole (maxAnswerMiB of moryflow.http) and each event (maxEventMiB): one long
            // string in it, such as a big base64 image, is no reason to refuse it (Jackson's default is 20 M chars)
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
            .build();

    // ------------------------------------------------------------------------------------------------ requests

    /**
     * @param r      the request
     * @param stream whether to ask for a stream (then with {@code stream_options.include_usage})
     * @return the JSON body
     */
    byte[] writeChat(ChatRequest r, boolean stream) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + 128 * r.messages().size());
        try (JsonGenerator g = factory.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("model", r.model());
            g.writeArrayFieldStart("messages");
            for (ChatMessage m : r.messages()) {
                writeMessage(g, m);
            }
            g.writeEndArray();
            if (r.temperature() != null) {
                g.writeNumberField("temperature", r.temperature());
            }
            if (r.topP() != null) {
                g.writeNumberField("top_p", r.topP());
            }
            if (r.maxTokens() != null) {
                g.writeNumberField("max_tokens", r.maxTokens());
            }
            if (!r.stop().isEmpty()) {
                g.writeArrayFieldStart("stop");
                for (String s : r.stop()) {
                    g.writeString(s);
                }
                g.writeEndArray();
            }
            if (stream) {
                g.writeBooleanField("stream", true);
                if (!r.extra().containsKey("stream_options")) {
                    g.writeObjectFieldStart("stream_options");
                    g.writeBooleanField("include_usage", true);
                    g.writeEndObject();
                }
            }
            for (Map.Entry<String, Object> e : r.extra().entrySet()) {
                String k = e.getKey();
                if (REQUEST_FIELDS.contains(k) || (k.equals("temperature") && r.temperature() != null)
                        || (k.equals("top_p") && r.topP() != null) || (k.equals("max_tokens") && r.maxTokens() != null)
                        || (k.equals("stop") && !r.stop().isEmpty()) || (k.equals("stream_options") && !stream)) {
                    continue;
                }
                g.writeFieldName(k);
                JsonValues.write(g, e.getValue());
            }
            g.writeEndObject();
        } catch (IOException e) {
            // writing to memory does not fail; a value that cannot be written is a bug of the caller
            throw new IllegalArgumentException("request cannot be written as JSON: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    private static void writeMessage(JsonGenerator g, ChatMessage m) throws IOException {
        g.writeStartObject();
        g.writeStringField("role", m.role());
        if (m.content() != null) {
            g.writeStringField("content", m.content());
        } else if (!m.parts().isEmpty()) {
            g.writeArrayFieldStart("content");
            for (ContentPart p : m.parts()) {
                g.writeStartObject();
                g.writeStringField("type", p.type());
                if (p.text() != null) {
                    g.writeStringField("text", p.text());
                }
                if (p.url() != null) {
                    g.writeObjectFieldStart(p.type());
                    g.writeStringField("url", p.url());
                    g.writeEndObject();
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        } else if (!m.extra().containsKey("content")) {
            g.writeNullField("content");
        }
        if (m.name() != null) {
            g.writeStringField("name", m.name());
        }
        if (m.toolCallId() != null) {
            g.writeStringField("tool_call_id", m.toolCallId());
        }
        for (Map.Entry<String, Object> e : m.extra().entrySet()) {
            if (!MESSAGE_FIELDS.contains(e.getKey()) || (e.getKey().equals("content") && m.content() == null
                    && m.parts().isEmpty())) {
                g.writeFieldName(e.getKey());
                JsonValues.write(g, e.getValue());
            }
        }
        g.writeEndObject();
    }

    // ------------------------------------------------------------------------------------------------- answers

    /**
     * Reads a whole (non-streamed) answer.
     *
     * @param body        the body
     * @param contentType its content type, for messages
     * @param secret      the key sent, for redaction of anything shown
     * @return what it said; {@link Piece#error} set when it carried an error object
     * @throws ProviderException {@link Problem#RESPONSE_FORMAT} when it is not JSON, or has no {@code choices} or
     *                           no {@code message}
     */
    Piece readAnswer(byte[] body, String contentType, char[] secret) throws ProviderException {
        if (!startsWithObject(body)) {
            throw Problems.notUnderstood("the answer is not JSON", contentType, start(body), secret);
        }
        Piece piece;
        try (JsonParser p = factory.createParser(body)) {
            piece = readObject(p, false);
        } catch (JsonProcessingException e) {
            throw Problems.notUnderstood("the answer is not valid JSON (" + e.getOriginalMessage() + ")",
                    contentType, start(body), secret);
        } catch (IOException e) {
            throw Problems.notUnderstood("the answer could not be read", contentType, start(body), secret);
        }
        if (piece.error != null) {
            return piece;
        }
        if (!piece.hasChoices) {
            throw Problems.notUnderstood("the answer has no \"choices\"", contentType, start(body), secret);
        }
        if (piece.choiceCount == 0) {
            throw Problems.notUnderstood("the answer's \"choices\" list is empty", contentType, start(body), secret);
        }
        if (!piece.hasMessage) {
            throw Problems.notUnderstood("the answer's first choice has no \"message\"", contentType, start(body),
                    secret);
        }
        return piece;
    }

    /**
     * Reads one stream event's data.
     *
     * @param data   the event data
     * @param secret the key sent, for redaction
     * @return what it said; {@link Piece#error} set when it carried an error object
     * @throws ProviderException {@link Problem#RESPONSE_FORMAT} when the data is not a JSON object
     */
    Piece readChunk(String data, char[] secret) throws ProviderException {
        String trimmed = data.trim();
        if (trimmed.isEmpty() || trimmed.charAt(0) != '{') {
            throw Problems.notUnderstood("a stream event is not JSON", "text/event-stream", data, secret);
        }
        try (JsonParser p = factory.createParser(trimmed)) {
            return readObject(p, true);
        } catch (IOException e) {
            throw Problems.notUnderstood("a stream event is not valid JSON", "text/event-stream", data, secret);
        }
    }

    private static Piece readObject(JsonParser p, boolean delta) throws IOException {
        Piece piece = new Piece();
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new JsonParseFailure("not a JSON object", p);
        }
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            switch (f) {
                case "id":
                    piece.id = text(p, v);
                    break;
                case "model":
                    piece.model = text(p, v);
                    break;
                case "choices":
                    if (v == JsonToken.START_ARRAY) {
                        piece.hasChoices = true;
                        readChoices(p, piece, delta);
                    } else {
                        p.skipChildren();
                    }
                    break;
                case "usage":
                    if (v == JsonToken.START_OBJECT) {
                        piece.usage = readUsage(p);
                    } else {
                        p.skipChildren();
                    }
                    break;
                case "error":
                    piece.error = JsonValues.read(p, v);
                    break;
                default:
                    p.skipChildren();
            }
        }
        if (t != JsonToken.END_OBJECT) {
            throw new JsonParseFailure("unterminated JSON object", p);
        }
        return piece;
    }

    private static void readChoices(JsonParser p, Piece piece, boolean delta) throws IOException {
        boolean taken = false;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == null) {
                throw new JsonParseFailure("unterminated choices", p);
            }
            piece.choiceCount++;
            if (t != JsonToken.START_OBJECT || taken) {
                p.skipChildren();
                continue;
            }
            taken = readChoice(p, piece, delta);
        }
    }

    /** @return whether this choice was taken (index 0 or no index) */
    private static boolean readChoice(JsonParser p, Piece piece, boolean delta) throws IOException {
        int index = 0;
        String finish = null;
        Piece message = null;
        String legacyText = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            if (f.equals("index") && v == JsonToken.VALUE_NUMBER_INT) {
                index = p.getIntValue();
            } else if (f.equals(delta ? "delta" : "message") && v == JsonToken.START_OBJECT) {
                message = readMessage(p);
            } else if (f.equals("finish_reason")) {
                finish = text(p, v);
            } else if (f.equals("text") && v == JsonToken.VALUE_STRING) {
                legacyText = p.getText();
            } else {
                p.skipChildren();
            }
        }
        if (index != 0) {
            return false;
        }
        piece.finishReason = finish;
        if (message != null) {
            piece.hasMessage = true;
            piece.content = message.content;
            piece.reasoning = message.reasoning;
            piece.refusal = message.refusal;
            piece.toolCalls = message.toolCalls;
        } else if (legacyText != null) {
            piece.hasMessage = true;
            piece.content = legacyText;
        }
        return true;
    }

    @SuppressWarnings("unchecked")
    private static Piece readMessage(JsonParser p) throws IOException {
        Piece m = new Piece();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            switch (f) {
                case "content":
                    if (v == JsonToken.VALUE_STRING) {
                        m.content = p.getText();
                    } else if (v == JsonToken.START_ARRAY) {
                        m.content = partsText((List<Object>) JsonValues.read(p, v));
                    } else {
                        p.skipChildren();
                    }
                    break;
                case "reasoning_content":
                case "reasoning":
                    if (v == JsonToken.VALUE_STRING) {
                        String r = p.getText();
                        m.reasoning = m.reasoning == null ? r : m.reasoning;
                    } else {
                        p.skipChildren();
                    }
                    break;
                case "refusal":
                    m.refusal = text(p, v);
                    break;
                case "tool_calls":
                    if (v == JsonToken.START_ARRAY) {
                        List<Map<String, Object>> calls = new ArrayList<>();
                        for (Object o : (List<Object>) JsonValues.read(p, v)) {
                            if (o instanceof Map) {
                                calls.add((Map<String, Object>) o);
                            }
                        }
                        m.toolCalls = calls;
                    } else {
                        p.skipChildren();
                    }
                    break;
                default:
                    p.skipChildren();
            }
        }
        return m;
    }

    private static String partsText(List<Object> parts) {
        StringBuilder sb = new StringBuilder();
        for (Object o : parts) {
            if (o instanceof Map && ((Map<?, ?>) o).get("text") instanceof String) {
                sb.append((String) ((Map<?, ?>) o).get("text"));
            } else if (o instanceof String) {
                sb.append((String) o);
            }
        }
        return sb.toString();
    }

    private static Usage readUsage(JsonParser p) throws IOException {
        int prompt = 0;
        int completion = 0;
        int total = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            if (v == JsonToken.VALUE_NUMBER_INT) {
                switch (f) {
                    case "prompt_tokens":
                    case "input_tokens":
                        prompt = p.getIntValue();
                        break;
                    case "completion_tokens":
                    case "output_tokens":
                        completion = p.getIntValue();
                        break;
                    case "total_tokens":
                        total = p.getIntValue();
                        break;
                    default:
                        break;
                }
            } else {
                p.skipChildren();
            }
        }
        return new Usage(prompt, completion, total);
    }

    private static String text(JsonParser p, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        p.skipChildren();
        return v.isScalarValue() ? p.getText() : null;
    }

    // --------------------------------------------------------------------------------------------------- models

    /**
     * Reads a model list: OpenAI's {@code {"data":[{"id":...}]}}, also {@code {"models":[...]}}, a bare array, and
     * items given as plain strings. Picks up context lengths where providers report them.
     *
     * @param body        the body
     * @param contentType its content type
     * @param secret      the key sent, for redaction
     * @return the models
     * @throws ProviderException {@link Problem#RESPONSE_FORMAT} when there is no list
     */
    List<ModelInfo> readModels(byte[] body, String contentType, char[] secret) throws ProviderException {
        Object root;
        try (JsonParser p = factory.createParser(body)) {
            root = JsonValues.read(p, p.nextToken());
        } catch (IOException e) {
            throw Problems.notUnderstood("the model list is not JSON", contentType, start(body), secret);
        }
        Object list = root;
        if (root instanceof Map) {
            Map<?, ?> m = (Map<?, ?>) root;
            if (m.get("error") != null) {
                throw Problems.upstreamError(200, m.get("error"), null, secret);
            }
            list = m.containsKey("data") ? m.get("data") : m.get("models");
        }
        if (!(list instanceof List)) {
            throw Problems.notUnderstood("the model list has no \"data\" array", contentType, start(body), secret);
        }
        List<ModelInfo> models = new ArrayList<>();
        for (Object o : (List<?>) list) {
            if (o instanceof String && !((String) o).isBlank()) {
                models.add(ModelInfo.of((String) o));
            } else if (o instanceof Map) {
                Map<?, ?> m = (Map<?, ?>) o;
                Object id = m.get("id") != null ? m.get("id") : m.get("name");
                if (id instanceof String && !((String) id).isBlank()) {
                    Object display = m.get("display_name") != null ? m.get("display_name") : m.get("name");
                    int context = firstInt(m, "context_length", "context_window", "max_context_length",
                            "max_model_len");
                    models.add(new ModelInfo((String) id, display instanceof String ? (String) display : null,
                            context, 0, null));
                }
            }
        }
        return models;
    }

    private static int firstInt(Map<?, ?> m, String... keys) {
        for (String k : keys) {
            Object v = m.get(k);
            if (v instanceof Number && ((Number) v).intValue() > 0) {
                return ((Number) v).intValue();
            }
        }
        return 0;
    }

    // -------------------------------------------------------------------------------------------------- helpers

    private static boolean startsWithObject(byte[] body) {
        for (byte b : body) {
            if (b == '{') {
                return true;
            }
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return false;
    }

    /** @return the start of a body: more than is shown, so that redaction runs before the cut */
    private static String start(byte[] body) {
        return new String(body, 0, Math.min(body.length, SHOWN * 5), StandardCharsets.UTF_8);
    }

    /** A structural failure found by hand while reading. */
    private static final class JsonParseFailure extends JsonProcessingException {
        private static final long serialVersionUID = 1L;

        JsonParseFailure(String message, JsonParser p) {
            super(message, p.currentLocation());
        }
    }
}
