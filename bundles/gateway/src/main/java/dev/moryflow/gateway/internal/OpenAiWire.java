package dev.moryflow.gateway.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import dev.moryflow.chat.RoutedModel;
import dev.moryflow.http.JsonSplice;
import dev.moryflow.http.JsonValues;
import dev.moryflow.provider.Capability;
import dev.moryflow.provider.ChatChunk;
import dev.moryflow.provider.ChatMessage;
import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.ContentPart;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.Usage;

/**
 * The OpenAI chat completions wire format, both ways: client requests in, answers, stream chunks, model lists and
 * errors out. A request keeps the client's body ({@link ChatRequest#raw()}) and an answer or event that carries the
 * upstream's JSON is written as that JSON with only {@code model} set ({@link #passedThrough}); the hub's own
 * serialization is for answers of providers of other protocols. Stateless and thread-safe.
 */
final class OpenAiWire {

    /** Request parameters read into {@link ChatRequest} fields; every other one is passed on as it is. */
    private static final Set<String> MODELLED = Set.of("model", "messages", "temperature", "top_p", "max_tokens",
            "max_completion_tokens", "stop", "stream", "stream_options");
    private static final Set<String> MESSAGE_MODELLED = Set.of("role", "content", "name", "tool_call_id");

    private final JsonFactory json = new JsonFactory();

    /**
     * Reads a {@code POST /v1/chat/completions} body.
     *
     * @param body the request body, UTF-8 JSON
     * @return the request
     * @throws WireException naming the parameter that is missing or wrong
     */
    ParsedRequest parseChatRequest(byte[] body) throws WireException {
        Object root;
        try {
            root = JsonValues.parse(json, new String(body, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new WireException(null, "the request body is not valid JSON (" + e.getMessage()
                    + "); send a JSON object like {\"model\": \"...\", \"messages\": [...]}");
        }
        if (!(root instanceof Map)) {
            throw new WireException(null, "the request body must be a JSON object with 'model' and 'messages'");
        }
        Map<?, ?> r = (Map<?, ?>) root;
        Object model = r.get("model");
        if (!(model instanceof String) || ((String) model).isBlank()) {
            throw new WireException("model", "'model' is required: a model name such as provider/model or a model "
                    + "ID (GET /v1/models lists them)");
        }
        Object messages = r.get("messages");
        if (!(messages instanceof List) || ((List<?>) messages).isEmpty()) {
            throw new WireException("messages", "'messages' is required: a non-empty array of {\"role\", \"content\"}");
        }
        // the body goes upstream as sent (only model replaced) when the provider speaks this protocol too
        ChatRequest.Builder b = ChatRequest.builder((String) model).raw(body);
        List<?> list = (List<?>) messages;
        for (int i = 0; i < list.size(); i++) {
            b.message(message(list.get(i), "messages[" + i + "]"));
        }
        b.temperature(number(r, "temperature"));
        b.topP(number(r, "top_p"));
        Integer max = integer(r, "max_completion_tokens");
        b.maxTokens(max != null ? max : integer(r, "max_tokens"));
        b.stop(stop(r.get("stop")));
        Object n = r.get("n");
        if (n instanceof Number && ((Number) n).intValue() != 1) {
            throw new WireException("n", "'n' other than 1 is not supported: send one request per answer");
        }
        for (Map.Entry<?, ?> e : r.entrySet()) {
            String k = String.valueOf(e.getKey());
            if (!MODELLED.contains(k) && !"n".equals(k)) {
                b.extra(k, e.getValue());
            }
        }
        Object stream = r.get("stream");
        if (stream != null && !(stream instanceof Boolean)) {
            throw new WireException("stream", "'stream' must be true or false");
        }
        boolean includeUsage = false;
        Object options = r.get("stream_options");
        if (options instanceof Map) {
            includeUsage = Boolean.TRUE.equals(((Map<?, ?>) options).get("include_usage"));
        }
        try {
            return new ParsedRequest(b.build(), Boolean.TRUE.equals(stream), includeUsage);
        } catch (IllegalArgumentException e) {
            throw new WireException(null, e.getMessage());
        }
    }

    private static ChatMessage message(Object o, String where) throws WireException {
        if (!(o instanceof Map)) {
            throw new WireException(where, where + " must be an object with 'role' and 'content'");
        }
        Map<?, ?> m = (Map<?, ?>) o;
        Object role = m.get("role");
        if (!(role instanceof String) || ((String) role).isBlank()) {
            throw new WireException(where + ".role", where + ".role is required: system, user, assistant or tool");
        }
        Object content = m.get("content");
        String text = null;
        List<ContentPart> parts = null;
        if (content instanceof String) {
            text = (String) content;
        } else if (content instanceof List) {
            parts = new ArrayList<>();
            List<?> ps = (List<?>) content;
            for (int i = 0; i < ps.size(); i++) {
                parts.add(part(ps.get(i), where + ".content[" + i + "]"));
            }
        } else if (content != null) {
            throw new WireException(where + ".content", where + ".content must be a string or an array of parts");
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!MESSAGE_MODELLED.contains(String.valueOf(e.getKey()))) {
                extra.put(String.valueOf(e.getKey()), e.getValue());
            }
        }
        return new ChatMessage((String) role, text, parts, str(m.get("name")), str(m.get("tool_call_id")), extra);
    }

    private static ContentPart part(Object o, String where) throws WireException {
        if (!(o instanceof Map) || !(((Map<?, ?>) o).get("type") instanceof String)) {
            throw new WireException(where, where + " must be an object with a 'type'");
        }
        Map<?, ?> p = (Map<?, ?>) o;
        String type = (String) p.get("type");
        if (ContentPart.TEXT.equals(type)) {
            return ContentPart.text(str(p.get("text")));
        }
        if (ContentPart.IMAGE_URL.equals(type)) {
            Object image = p.get("image_url");
            Object url = image instanceof Map ? ((Map<?, ?>) image).get("url") : image;
            if (!(url instanceof String) || ((String) url).isBlank()) {
                throw new WireException(where + ".image_url.url", where + ".image_url.url is required");
            }
            return ContentPart.image((String) url);
        }
        return new ContentPart(type, str(p.get("text")), null);
    }

    private static String str(Object o) {
        return o instanceof String ? (String) o : null;
    }

    private static Double number(Map<?, ?> r, String name) throws WireException {
        Object v = r.get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Number)) {
            throw new WireException(name, "'" + name + "' must be a number");
        }
        return ((Number) v).doubleValue();
    }

    private static Integer integer(Map<?, ?> r, String name) throws WireException {
        Object v = r.get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Number) || ((Number) v).doubleValue() != Math.rint(((Number) v).doubleValue())
                || ((Number) v).longValue() <= 0 || ((Number) v).longValue() > Integer.MAX_VALUE) {
            throw new WireException(name, "'" + name + "' must be a positive whole number");
        }
        return ((Number) v).intValue();
    }

    private static List<String> stop(Object v) throws WireException {
        if (v == null) {
            return null;
        }
        if (v instanceof String) {
            return List.of((String) v);
        }
        if (v instanceof List && ((List<?>) v).stream().allMatch(s -> s instanceof String)) {
            List<String> out = new ArrayList<>();
            ((List<?>) v).forEach(s -> out.add((String) s));
            return out;
        }
        throw new WireException("stop", "'stop' must be a string or an array of strings");
    }

    /**
     * An upstream's JSON (a whole answer, or one stream event's data) as it sent it, with only the top-level
     * {@code model} set to the name the client used; left as it is when it has no {@code model}.
     */
    byte[] passedThrough(byte[] upstream, String clientModel) {
        try {
            return JsonSplice.replaceTopLevelString(upstream, "model", clientModel);
        } catch (IOException notAnObject) {
            return upstream; // the provider read it as an object already; hand it on untouched
        }
    }

    /** One SSE event carrying an upstream's event data as it sent it, only {@code model} set to the client's. */
    byte[] passedThroughEvent(byte[] upstreamData, String clientModel) {
        byte[] json = passedThrough(upstreamData, clientModel);
        byte[] out = new byte[json.length + 8];
        System.arraycopy("data: ".getBytes(StandardCharsets.US_ASCII), 0, out, 0, 6);
        System.arraycopy(json, 0, out, 6, json.length);
        out[out.length - 2] = '\n';
        out[out.length - 1] = '\n';
        return out;
    }

    /** A whole answer as a {@code chat.completion} object. */
    byte[] completion(ChatResponse r, String id, long created) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("id", id);
            g.writeStringField("object", "chat.completion");
            g.writeNumberField("created", created);
            g.writeStringField("model", r.model());
            g.writeStringField("provider", r.providerId());
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeNumberField("index", 0);
            g.writeObjectFieldStart("message");
            g.writeStringField("role", "assistant");
            if (r.content().isEmpty() && !r.toolCalls().isEmpty()) {
                g.writeNullField("content");
            } else {
                g.writeStringField("content", r.content());
            }
            if (r.reasoning() != null) {
                g.writeStringField("reasoning_content", r.reasoning());
            }
            if (!r.toolCalls().isEmpty()) {
                g.writeFieldName("tool_calls");
                JsonValues.write(g, r.toolCalls());
            }
            g.writeEndObject();
            g.writeStringField("finish_reason", r.finishReason() == null ? "stop" : r.finishReason());
            g.writeEndObject();
            g.writeEndArray();
            if (r.usage() != null) {
                usage(g, r.usage());
            }
            g.writeEndObject();
        });
    }

    /** One SSE event carrying a {@code chat.completion.chunk}. */
    byte[] chunkEvent(ChatChunk c, String id, long created, String model, boolean first) {
        return event(g -> {
            chunkHead(g, id, created, model);
            g.writeArrayFieldStart("choices");
            g.writeStartObject();
            g.writeNumberField("index", 0);
            g.writeObjectFieldStart("delta");
            if (first) {
                g.writeStringField("role", "assistant");
            }
            if (!c.content().isEmpty() || first) {
                g.writeStringField("content", c.content());
            }
            if (c.reasoning() != null) {
                g.writeStringField("reasoning_content", c.reasoning());
            }
            if (!c.toolCalls().isEmpty()) {
                g.writeFieldName("tool_calls");
                JsonValues.write(g, c.toolCalls());
            }
            g.writeEndObject();
            if (c.finishReason() == null) {
                g.writeNullField("finish_reason");
            } else {
                g.writeStringField("finish_reason", c.finishReason());
            }
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** The last chunk of a stream whose client asked for usage: no choices, the usage. */
    byte[] usageEvent(Usage usage, String id, long created, String model) {
        return event(g -> {
            chunkHead(g, id, created, model);
            g.writeArrayFieldStart("choices");
            g.writeEndArray();
            usage(g, usage);
            g.writeEndObject();
        });
    }

    private static void chunkHead(JsonGenerator g, String id, long created, String model) throws IOException {
        g.writeStartObject();
        g.writeStringField("id", id);
        g.writeStringField("object", "chat.completion.chunk");
        g.writeNumberField("created", created);
        g.writeStringField("model", model);
    }

    private static void usage(JsonGenerator g, Usage u) throws IOException {
        g.writeObjectFieldStart("usage");
        g.writeNumberField("prompt_tokens", u.promptTokens());
        g.writeNumberField("completion_tokens", u.completionTokens());
        g.writeNumberField("total_tokens", u.totalTokens());
        if (u.hasCacheDetails()) {
            // OpenAI's field for prompt cache reads; the cache writes (Anthropic) beside it
            g.writeObjectFieldStart("prompt_tokens_details");
            g.writeNumberField("cached_tokens", u.cachedPromptTokens());
            g.writeNumberField("cache_creation_tokens", u.cacheCreationTokens());
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    /** An OpenAI error object: {@code {"error": {"message", "type", "param", "code"}}}. */
    byte[] error(String message, String type, String param, String code) {
        return write(g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("error");
            g.writeStringField("message", message);
            g.writeStringField("type", type);
            if (param == null) {
                g.writeNullField("param");
            } else {
                g.writeStringField("param", param);
            }
            if (code == null) {
                g.writeNullField("code");
            } else {
                g.writeStringField("code", code);
            }
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    /** An error object as an upstream sent it: {@code {"error": <the object>}}, every field as it is. */
    byte[] errorObject(Map<String, Object> error) {
        return write(g -> {
            g.writeStartObject();
            g.writeFieldName("error");
            JsonValues.write(g, error);
            g.writeEndObject();
        });
    }

    /** An error as the one SSE event of a stream that fails after it started. */
    byte[] errorEvent(byte[] error) {
        byte[] out = new byte[error.length + 8];
        System.arraycopy("data: ".getBytes(StandardCharsets.US_ASCII), 0, out, 0, 6);
        System.arraycopy(error, 0, out, 6, error.length);
        out[out.length - 2] = '\n';
        out[out.length - 1] = '\n';
        return out;
    }

    /**
     * {@code GET /v1/models}: the models, with provider and metadata as extra fields.
     *
     * @param status with {@code ?all=true}: gives each provider's reason to be unavailable (empty: available), which
     *               is written as {@code available} and {@code status}; null writes neither
     */
    byte[] models(List<RoutedModel> models, List<dev.moryflow.chat.RouteDefinition> routes, long created,
            java.util.function.Function<String, java.util.Optional<String>> status) {
        return write(g -> {
            g.writeStartObject();
            g.writeStringField("object", "list");
            g.writeArrayFieldStart("data");
            for (RoutedModel m : models) {
                ModelInfo info = m.model();
                g.writeStartObject();
                g.writeStringField("id", m.qualifiedName());
                g.writeStringField("object", "model");
                g.writeNumberField("created", created);
                g.writeStringField("owned_by", m.providerId());
                g.writeStringField("provider", m.providerId());
                g.writeStringField("provider_name", m.providerName());
                g.writeStringField("model", info.id());
                g.writeStringField("display_name", info.displayName());
                if (info.contextWindow() != ModelInfo.UNKNOWN) {
                    g.writeNumberField("context_window", info.contextWindow());
                }
                if (info.maxOutputTokens() != ModelInfo.UNKNOWN) {
                    g.writeNumberField("max_output_tokens", info.maxOutputTokens());
                }
                g.writeArrayFieldStart("capabilities");
                for (Capability c : info.capabilities()) {
                    g.writeString(c.tag());
                }
                g.writeEndArray();
                if (status != null) {
                    java.util.Optional<String> why = status.apply(m.providerId());
                    g.writeBooleanField("available", why.isEmpty());
                    g.writeStringField("status", why.orElse("ready"));
                }
                g.writeEndObject();
            }
            for (dev.moryflow.chat.RouteDefinition r : routes) {
                // an alias: its targets, in the order they are tried, as an extra field
                g.writeStartObject();
                g.writeStringField("id", r.alias());
                g.writeStringField("object", "model");
                g.writeNumberField("created", created);
                g.writeStringField("owned_by", "moryflow");
                g.writeStringField("model", r.alias());
                g.writeStringField("display_name", r.alias() + " (route: " + String.join(", ", r.targets()) + ")");
                g.writeArrayFieldStart("targets");
                for (String t : r.targets()) {
                    g.writeString(t);
                }
                g.writeEndArray();
                if (status != null) {
                    g.writeBooleanField("available", r.routable());
                    g.writeStringField("status", r.routable() ? "ready" : "refused: " + r.refused());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** The SSE end marker. */
    static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private byte[] write(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = json.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private byte[] event(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try {
            out.write("data: ".getBytes(StandardCharsets.US_ASCII));
            try (JsonGenerator g = json.createGenerator(out)) {
                body.write(g);
            }
            out.write('\n');
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
