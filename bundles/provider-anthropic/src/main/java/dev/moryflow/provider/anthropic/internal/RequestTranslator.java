package dev.moryflow.provider.anthropic.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import dev.moryflow.http.JsonValues;
import dev.moryflow.provider.ChatMessage;
import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.ContentPart;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;

/**
 * Writes the Messages API body ({@code POST /v1/messages}) of a chat request in the OpenAI chat completions shape.
 * It reads the client's own JSON ({@link ChatRequest#raw()}) when there is one, so that nothing the hub's normalized
 * types do not model is lost (part-level {@code cache_control}, an image's {@code detail}), else the normalized
 * request, which carries every other parameter in {@code extra}. Both are read as the same OpenAI-shaped values.
 * <p>
 * Translated: {@code system} and {@code developer} messages to {@code system}; user, assistant and tool turns to
 * {@code messages}, consecutive turns of one role merged (the API requires roles to alternate); text parts to
 * {@code text} blocks; {@code image_url} parts ({@code data:} URLs and http(s) URLs) to {@code image} blocks with a
 * {@code base64} or {@code url} source; assistant {@code tool_calls} to {@code tool_use} blocks (arguments parsed)
 * and {@code tool} messages to {@code tool_result} blocks of a user turn; {@code tools[].function} to
 * {@code name}/{@code description}/{@code input_schema}; {@code tool_choice} auto/none/required/named to
 * {@code auto}/{@code none}/{@code any}/{@code tool}; {@code parallel_tool_calls: false} to
 * {@code disable_parallel_tool_use}; {@code stop} to {@code stop_sequences}; {@code temperature}, {@code top_p};
 * {@code max_completion_tokens} or {@code max_tokens} to {@code max_tokens} (the configured default when absent);
 * {@code user} to {@code metadata.user_id}. Anthropic's own {@code top_k} and {@code thinking} pass as they are.
 * <p>
 * Refused before anything is sent, naming the field: what the Messages API cannot express ({@code logit_bias},
 * {@code logprobs}, {@code n} above 1, {@code response_format} other than text, penalties, {@code seed}, audio and
 * file parts, a temperature above 1, non-function tools, unknown roles, arguments that are not a JSON object, and
 * any parameter this class does not know). Parameters without effect on the answer ({@code store},
 * {@code metadata}, {@code service_tier}, {@code stream_options}, …) are dropped. Thread-safe.
 */
final class RequestTranslator {

    /** OpenAI parameters that change nothing in the answer: dropped. */
    private static final Set<String> NO_EFFECT = Set.of("model", "messages", "stream", "stream_options", "store",
            "metadata", "service_tier", "prompt_cache_key", "safety_identifier", "parallel_tool_calls");
    /** Anthropic's own parameters a client may add: sent as they are. */
    private static final Set<String> NATIVE = Set.of("top_k", "thinking");
    private static final Pattern DATA_URL = Pattern.compile("data:([\\w.+-]+/[\\w.+-]+);base64,(.*)", Pattern.DOTALL);

    private final JsonFactory json = new JsonFactory();

    /**
     * @param r                the request; its model is the Anthropic model id
     * @param defaultMaxTokens {@code max_tokens} when the request has none
     * @param stream           whether to ask for an event stream
     * @return the JSON body
     * @throws ProviderException {@link Problem#BAD_REQUEST} naming the field that cannot be expressed
     */
    byte[] write(ChatRequest r, int defaultMaxTokens, boolean stream) throws ProviderException {
        Map<?, ?> openAi = r.hasRaw() ? parseRaw(r.raw()) : normalized(r);
        Map<String, Object> body = translate(openAi, r.model(), defaultMaxTokens);
        if (stream) {
            body.put("stream", true);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = json.createGenerator(out)) {
            JsonValues.write(g, body);
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        return out.toByteArray();
    }

    private Map<?, ?> parseRaw(byte[] raw) throws ProviderException {
        try {
            Object v = JsonValues.parse(json, new String(raw, StandardCharsets.UTF_8));
            if (v instanceof Map) {
                return (Map<?, ?>) v;
            }
        } catch (IOException e) {
            // said below
        }
        throw refused(null, "the request body is not a JSON object", "Send the chat request as one JSON object.");
    }

    /** The normalized request as the OpenAI JSON it stands for. */
    private static Map<String, Object> normalized(ChatRequest r) {
        Map<String, Object> m = new LinkedHashMap<>(r.extra());
        List<Object> messages = new ArrayList<>();
        for (ChatMessage msg : r.messages()) {
            Map<String, Object> o = new LinkedHashMap<>(msg.extra());
            o.put("role", msg.role());
            if (msg.content() != null) {
                o.put("content", msg.content());
            } else if (!msg.parts().isEmpty()) {
                List<Object> parts = new ArrayList<>();
                for (ContentPart p : msg.parts()) {
                    Map<String, Object> part = new LinkedHashMap<>();
                    part.put("type", p.type());
                    if (p.text() != null) {
                        part.put("text", p.text());
                    }
                    if (p.url() != null) {
                        part.put(p.type(), Map.of("url", p.url()));
                    }
                    parts.add(part);
                }
                o.put("content", parts);
            }
            if (msg.name() != null) {
                o.put("name", msg.name());
            }
            if (msg.toolCallId() != null) {
                o.put("tool_call_id", msg.toolCallId());
            }
            messages.add(o);
        }
        m.put("messages", messages);
        m.put("temperature", r.temperature());
        m.put("top_p", r.topP());
        m.put("max_tokens", r.maxTokens());
        m.remove("max_completion_tokens");
        m.put("stop", r.stop().isEmpty() ? null : r.stop());
        return m;
    }

    // ------------------------------------------------------------------------------------------------ top level

    private Map<String, Object> translate(Map<?, ?> o, String model, int defaultMaxTokens) throws ProviderException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("model", model);
        Object max = o.get("max_completion_tokens") != null ? o.get("max_completion_tokens") : o.get("max_tokens");
        body.put("max_tokens", max == null ? defaultMaxTokens : positive(max, o.get("max_completion_tokens") != null
                ? "max_completion_tokens" : "max_tokens"));
        Messages messages = messages(o.get("messages"));
        if (!messages.system.isEmpty()) {
            body.put("system", messages.system);
        }
        body.put("messages", messages.turns);
        tools(o, body);
        Object temperature = o.get("temperature");
        if (temperature != null) {
            double t = number(temperature, "temperature");
            if (t < 0 || t > 1) {
                throw refused("temperature", "temperature " + temperature + " cannot be expressed: Anthropic's "
                        + "temperature goes from 0 to 1", "Send a temperature between 0 and 1 (OpenAI's 0 to 2 "
                        + "scale does not carry over).");
            }
            body.put("temperature", temperature);
        }
        if (o.get("top_p") != null) {
            number(o.get("top_p"), "top_p");
            body.put("top_p", o.get("top_p"));
        }
        List<String> stop = stop(o.get("stop"));
        if (!stop.isEmpty()) {
            body.put("stop_sequences", stop);
        }
        if (o.get("user") instanceof String) {
            body.put("metadata", Map.of("user_id", o.get("user")));
        }
        for (Map.Entry<?, ?> e : o.entrySet()) {
            String k = String.valueOf(e.getKey());
            Object v = e.getValue();
            if (NATIVE.contains(k) && v != null) {
                body.put(k, v);
            } else if (!known(k) && !noEffect(k, v)) {
                throw refused(k, "the parameter '" + k + "' cannot be expressed in Anthropic's Messages API",
                        "Remove '" + k + "' from the request for this model" + hintFor(k) + ".");
            }
        }
        return body;
    }

    private static boolean known(String k) {
        return NO_EFFECT.contains(k) || NATIVE.contains(k) || Set.of("max_completion_tokens", "max_tokens",
                "temperature", "top_p", "stop", "user", "tools", "tool_choice").contains(k);
    }

    /** @return whether a parameter the API lacks has a value that changes nothing (null, false, 0, 1 answer) */
    private static boolean noEffect(String k, Object v) {
        if (v == null) {
            return true;
        }
        switch (k) {
            case "n":
                return v instanceof Number && ((Number) v).intValue() == 1;
            case "logprobs":
                return Boolean.FALSE.equals(v);
            case "presence_penalty":
            case "frequency_penalty":
                return v instanceof Number && ((Number) v).doubleValue() == 0;
            case "response_format":
                return v instanceof Map && "text".equals(((Map<?, ?>) v).get("type"));
            default:
                return false;
        }
    }

    private static String hintFor(String k) {
        switch (k) {
            case "response_format":
                return " (describe the JSON you want in the system message, or offer a tool whose input_schema is "
                        + "that JSON and force it with tool_choice)";
            case "reasoning_effort":
                return " (Anthropic's extended thinking is asked for with \"thinking\": {\"type\": \"enabled\", "
                        + "\"budget_tokens\": 1024}, which this provider passes through)";
            case "n":
                return " (send one request per answer)";
            default:
                return "";
        }
    }

    private static int positive(Object v, String field) throws ProviderException {
        if (!(v instanceof Number) || ((Number) v).doubleValue() != Math.rint(((Number) v).doubleValue())
                || ((Number) v).longValue() <= 0 || ((Number) v).longValue() > Integer.MAX_VALUE) {
            throw refused(field, "'" + field + "' must be a positive whole number", null);
        }
        return ((Number) v).intValue();
    }

    private static double number(Object v, String field) throws ProviderException {
        if (!(v instanceof Number)) {
            throw refused(field, "'" + field + "' must be a number", null);
        }
        return ((Number) v).doubleValue();
    }

    private static List<String> stop(Object v) throws ProviderException {
        List<String> out = new ArrayList<>();
        if (v instanceof String) {
            out.add((String) v);
        } else if (v instanceof List) {
            for (Object s : (List<?>) v) {
                if (!(s instanceof String)) {
                    throw refused("stop", "'stop' must be a string or an array of strings", null);
                }
                out.add((String) s);
            }
        } else if (v != null) {
            throw refused("stop", "'stop' must be a string or an array of strings", null);
        }
        return out;
    }

    // ---------------------------------------------------------------------------------------------------- tools

    private static void tools(Map<?, ?> o, Map<String, Object> body) throws ProviderException {
        Object tools = o.get("tools");
        List<Object> out = new ArrayList<>();
        if (tools instanceof List) {
            List<?> list = (List<?>) tools;
            for (int i = 0; i < list.size(); i++) {
                out.add(tool(list.get(i), "tools[" + i + "]"));
            }
        } else if (tools != null) {
            throw refused("tools", "'tools' must be an array of {\"type\": \"function\", \"function\": {...}}", null);
        }
        Object choice = o.get("tool_choice");
        boolean parallel = !Boolean.FALSE.equals(o.get("parallel_tool_calls"));
        if (out.isEmpty()) {
            if (choice != null && !"none".equals(choice) && !"auto".equals(choice)) {
                throw refused("tool_choice", "'tool_choice' asks for a tool call, and the request has no tools",
                        "Offer the tool in 'tools', or remove 'tool_choice'.");
            }
            return;
        }
        body.put("tools", out);
        Map<String, Object> c = new LinkedHashMap<>();
        if (choice == null || "auto".equals(choice)) {
            c.put("type", "auto");
        } else if ("none".equals(choice)) {
            c.put("type", "none");
        } else if ("required".equals(choice)) {
            c.put("type", "any");
        } else if (choice instanceof Map && "function".equals(((Map<?, ?>) choice).get("type"))
                && ((Map<?, ?>) choice).get("function") instanceof Map
                && ((Map<?, ?>) ((Map<?, ?>) choice).get("function")).get("name") instanceof String) {
            c.put("type", "tool");
            c.put("name", ((Map<?, ?>) ((Map<?, ?>) choice).get("function")).get("name"));
        } else {
            throw refused("tool_choice", "this 'tool_choice' cannot be expressed in Anthropic's Messages API",
                    "Use \"auto\", \"none\", \"required\" or {\"type\": \"function\", \"function\": {\"name\": ...}}.");
        }
        if (!parallel && !"none".equals(c.get("type"))) {
            c.put("disable_parallel_tool_use", true);
        }
        if (choice != null || !parallel) {
            body.put("tool_choice", c);
        }
    }

    private static Map<String, Object> tool(Object t, String where) throws ProviderException {
        if (!(t instanceof Map) || !"function".equals(((Map<?, ?>) t).get("type"))
                || !(((Map<?, ?>) t).get("function") instanceof Map)) {
            throw refused(where + ".type", where + " cannot be expressed: only tools of type \"function\" (with a "
                    + "'function' object) translate to Anthropic tools", null);
        }
        Map<?, ?> f = (Map<?, ?>) ((Map<?, ?>) t).get("function");
        if (!(f.get("name") instanceof String) || ((String) f.get("name")).isBlank()) {
            throw refused(where + ".function.name", where + ".function.name is required", null);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", f.get("name"));
        if (f.get("description") instanceof String) {
            out.put("description", f.get("description"));
        }
        Object schema = f.get("parameters");
        if (schema instanceof Map) {
            out.put("input_schema", schema);
        } else {
            // a function without parameters: the API requires a schema
            Map<String, Object> empty = new LinkedHashMap<>();
            empty.put("type", "object");
            empty.put("properties", Map.of());
            out.put("input_schema", empty);
        }
        return out;
    }

    // ------------------------------------------------------------------------------------------------- messages

    /** The system blocks and the alternating turns. */
    private static final class Messages {
        final List<Object> system = new ArrayList<>();
        final List<Object> turns = new ArrayList<>();
        private String lastRole;
        private List<Object> lastBlocks;

        void add(String role, List<Object> blocks) {
            if (role.equals(lastRole)) {
                lastBlocks.addAll(blocks); // consecutive turns of one role: one turn, as the API requires
                return;
            }
            lastRole = role;
            lastBlocks = new ArrayList<>(blocks);
            Map<String, Object> turn = new LinkedHashMap<>();
            turn.put("role", role);
            turn.put("content", lastBlocks);
            turns.add(turn);
        }
    }

    private static Messages messages(Object v) throws ProviderException {
        if (!(v instanceof List) || ((List<?>) v).isEmpty()) {
            throw refused("messages", "'messages' is required: a non-empty array", null);
        }
        Messages out = new Messages();
        List<?> list = (List<?>) v;
        for (int i = 0; i < list.size(); i++) {
            String where = "messages[" + i + "]";
            if (!(list.get(i) instanceof Map)) {
                throw refused(where, where + " must be an object", null);
            }
            Map<?, ?> m = (Map<?, ?>) list.get(i);
            Object role = m.get("role");
            if ("system".equals(role) || "developer".equals(role)) {
                out.system.addAll(textBlocks(m.get("content"), where));
            } else if ("user".equals(role)) {
                out.add("user", userBlocks(m.get("content"), where));
            } else if ("assistant".equals(role)) {
                List<Object> blocks = assistantBlocks(m, where);
                if (blocks.isEmpty()) {
                    throw refused(where + ".content", where + " is an assistant message without content or "
                            + "tool_calls, which the Messages API does not accept", "Remove the empty message.");
                }
                out.add("assistant", blocks);
            } else if ("tool".equals(role)) {
                out.add("user", List.of(toolResult(m, where)));
            } else {
                throw refused(where + ".role", where + ".role \"" + role + "\" cannot be expressed: the Messages API "
                        + "knows system, user, assistant and tool messages", null);
            }
        }
        if (out.turns.isEmpty()) {
            throw refused("messages", "the request has only system messages; the Messages API needs at least one "
                    + "user message", "Add a user message.");
        }
        return out;
    }

    private static List<Object> textBlocks(Object content, String where) throws ProviderException {
        List<Object> blocks = new ArrayList<>();
        if (content instanceof String) {
            if (!((String) content).isEmpty()) {
                blocks.add(text((String) content));
            }
        } else if (content instanceof List) {
            List<?> parts = (List<?>) content;
            for (int j = 0; j < parts.size(); j++) {
                Map<?, ?> p = part(parts.get(j), where + ".content[" + j + "]");
                if (!"text".equals(p.get("type"))) {
                    throw refused(where + ".content[" + j + "].type", where + ".content[" + j + "] of type \""
                            + p.get("type") + "\" cannot be expressed here: this message takes text only", null);
                }
                blocks.add(textPart(p));
            }
        } else if (content != null) {
            throw refused(where + ".content", where + ".content must be a string or an array of parts", null);
        }
        return blocks;
    }

    private static List<Object> userBlocks(Object content, String where) throws ProviderException {
        if (!(content instanceof List)) {
            List<Object> blocks = textBlocks(content, where);
            if (blocks.isEmpty()) {
                throw refused(where + ".content", where + ".content is empty, which the Messages API does not "
                        + "accept", "Send some text, or remove the message.");
            }
            return blocks;
        }
        List<Object> blocks = new ArrayList<>();
        List<?> parts = (List<?>) content;
        for (int j = 0; j < parts.size(); j++) {
            String at = where + ".content[" + j + "]";
            Map<?, ?> p = part(parts.get(j), at);
            Object type = p.get("type");
            if ("text".equals(type)) {
                blocks.add(textPart(p));
            } else if ("image_url".equals(type)) {
                blocks.add(image(p, at));
            } else {
                throw refused(at + ".type", at + " of type \"" + type + "\" cannot be expressed in Anthropic's "
                        + "Messages API (text and image_url parts can)", null);
            }
        }
        return blocks;
    }

    private static Map<?, ?> part(Object o, String where) throws ProviderException {
        if (!(o instanceof Map) || !(((Map<?, ?>) o).get("type") instanceof String)) {
            throw refused(where, where + " must be an object with a 'type'", null);
        }
        return (Map<?, ?>) o;
    }

    private static Map<String, Object> text(String text) {
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("type", "text");
        b.put("text", text);
        return b;
    }

    private static Map<String, Object> textPart(Map<?, ?> p) {
        Map<String, Object> b = text(p.get("text") instanceof String ? (String) p.get("text") : "");
        if (p.get("cache_control") != null) {
            b.put("cache_control", p.get("cache_control"));
        }
        return b;
    }

    private static Map<String, Object> image(Map<?, ?> p, String where) throws ProviderException {
        Object image = p.get("image_url");
        Object url = image instanceof Map ? ((Map<?, ?>) image).get("url") : image;
        if (!(url instanceof String) || ((String) url).isBlank()) {
            throw refused(where + ".image_url.url", where + ".image_url.url is required", null);
        }
        String u = (String) url;
        Map<String, Object> source = new LinkedHashMap<>();
        Matcher data = DATA_URL.matcher(u);
        if (data.matches()) {
            source.put("type", "base64");
            source.put("media_type", data.group(1).toLowerCase(Locale.ROOT));
            source.put("data", data.group(2));
        } else if (u.regionMatches(true, 0, "https://", 0, 8) || u.regionMatches(true, 0, "http://", 0, 7)) {
            source.put("type", "url");
            source.put("url", u);
        } else {
            throw refused(where + ".image_url.url", where + ".image_url.url cannot be expressed: Anthropic takes "
                    + "images as data:<type>;base64,... URLs or http(s) URLs", null);
        }
        // "detail" has no Anthropic counterpart: the API sizes images itself
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("type", "image");
        b.put("source", source);
        if (p.get("cache_control") != null) {
            b.put("cache_control", p.get("cache_control"));
        }
        return b;
    }

    private static List<Object> assistantBlocks(Map<?, ?> m, String where) throws ProviderException {
        if (m.get("function_call") != null) {
            throw refused(where + ".function_call", where + ".function_call (the deprecated functions API) cannot "
                    + "be expressed: send tool_calls", null);
        }
        List<Object> blocks = new ArrayList<>(textBlocks(m.get("content"), where));
        Object calls = m.get("tool_calls");
        if (calls instanceof List) {
            List<?> list = (List<?>) calls;
            for (int j = 0; j < list.size(); j++) {
                blocks.add(toolUse(list.get(j), where + ".tool_calls[" + j + "]"));
            }
        } else if (calls != null) {
            throw refused(where + ".tool_calls", where + ".tool_calls must be an array", null);
        }
        return blocks;
    }

    private static Map<String, Object> toolUse(Object o, String where) throws ProviderException {
        Map<?, ?> call = o instanceof Map ? (Map<?, ?>) o : Map.of();
        Map<?, ?> f = call.get("function") instanceof Map ? (Map<?, ?>) call.get("function") : null;
        if (!(call.get("id") instanceof String) || f == null || !(f.get("name") instanceof String)) {
            throw refused(where, where + " must have an 'id' and a 'function' with a 'name'", null);
        }
        Object args = f.get("arguments");
        Object input;
        if (args == null || (args instanceof String && ((String) args).isBlank())) {
            input = Map.of();
        } else if (args instanceof String) {
            try {
                input = JsonValues.parse(new JsonFactory(), (String) args);
            } catch (IOException e) {
                input = null;
            }
        } else {
            input = args;
        }
        if (!(input instanceof Map)) {
            throw refused(where + ".function.arguments", where + ".function.arguments is not a JSON object, and "
                    + "Anthropic's tool_use input must be one", null);
        }
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("type", "tool_use");
        b.put("id", call.get("id"));
        b.put("name", f.get("name"));
        b.put("input", input);
        return b;
    }

    private static Map<String, Object> toolResult(Map<?, ?> m, String where) throws ProviderException {
        if (!(m.get("tool_call_id") instanceof String)) {
            throw refused(where + ".tool_call_id", where + ".tool_call_id is required: the id of the tool call it "
                    + "answers", null);
        }
        Map<String, Object> b = new LinkedHashMap<>();
        b.put("type", "tool_result");
        b.put("tool_use_id", m.get("tool_call_id"));
        Object content = m.get("content");
        if (content instanceof String) {
            b.put("content", content);
        } else {
            b.put("content", textBlocks(content, where));
        }
        return b;
    }

    private static ProviderException refused(String field, String message, String hint) {
        return new ProviderException(Problem.BAD_REQUEST, message + (field == null ? "" : " [" + field + "]"),
                hint == null ? "Change the request so that Anthropic's Messages API can express it, or send it to "
                        + "another model." : hint, 0, null, null, null);
    }
}
