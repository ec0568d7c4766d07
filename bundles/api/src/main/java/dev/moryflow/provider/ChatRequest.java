package dev.moryflow.provider;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A chat request in the OpenAI chat completions shape. {@link #model()} is what the client asked for: a qualified
 * {@code provider/model}, a bare model id or an alias when given to the {@code ChatService}, and the provider's own
 * model id when given to a {@link ProviderService}. Parameters this type does not model ({@code tools},
 * {@code response_format}, {@code seed}, …) travel in {@link #extra()} and are sent as they are. Whether to stream
 * is not part of the request: it is the choice between {@link ProviderService#chat} and
 * {@link ProviderService#stream}. Immutable; use {@link #builder(String)} or {@link #toBuilder()}.
 * <p>
 * A request that came in on the OpenAI wire format may also carry the client's body as it was sent
 * ({@link #raw()}): a provider of the same protocol sends those bytes instead of writing its own, with only the
 * top-level {@code model} replaced by {@link #model()}, so that nothing the hub does not model is lost. The parsed
 * fields stay the hub's view of the same request (for routing, admission and providers of other protocols).
 */
public final class ChatRequest {

    private final String model;
    private final List<ChatMessage> messages;
    private final Double temperature;
    private final Double topP;
    private final Integer maxTokens;
    private final List<String> stop;
    private final Map<String, Object> extra;
    private final byte[] raw;

    private ChatRequest(Builder b) {
        if (b.model == null || b.model.isBlank()) {
            throw new IllegalArgumentException("model must not be blank");
        }
        if (b.messages.isEmpty()) {
            throw new IllegalArgumentException("messages must not be empty");
        }
        if (b.maxTokens != null && b.maxTokens <= 0) {
            throw new IllegalArgumentException("max_tokens must be positive, was " + b.maxTokens);
        }
        this.model = b.model;
        this.messages = List.copyOf(b.messages);
        this.temperature = b.temperature;
        this.topP = b.topP;
        this.maxTokens = b.maxTokens;
        this.stop = b.stop == null ? List.of() : List.copyOf(b.stop);
        this.extra = b.extra.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(b.extra));
        this.raw = b.raw == null ? null : b.raw.clone();
    }

    /**
     * @param model the model, as the client names it
     * @return a new builder
     */
    public static Builder builder(String model) {
        return new Builder(model);
    }

    /**
     * @param model   the model
     * @param message one user message
     * @return a request with one user message
     */
    public static ChatRequest of(String model, String message) {
        return builder(model).message(ChatMessage.user(message)).build();
    }

    /** @return a builder holding a copy of this request */
    public Builder toBuilder() {
        Builder b = new Builder(model);
        b.messages.addAll(messages);
        b.temperature = temperature;
        b.topP = topP;
        b.maxTokens = maxTokens;
        b.stop = stop.isEmpty() ? null : stop;
        b.extra.putAll(extra);
        b.raw = raw;
        return b;
    }

    /**
     * @param otherModel the model to ask for instead
     * @return this request for another model (this instance when it is the same)
     */
    public ChatRequest withModel(String otherModel) {
        return model.equals(otherModel) ? this : toBuilder().model(otherModel).build();
    }

    /** @return the model */
    public String model() {
        return model;
    }

    /** @return the messages, never empty */
    public List<ChatMessage> messages() {
        return messages;
    }

    /** @return the sampling temperature, or null for the provider's default */
    public Double temperature() {
        return temperature;
    }

    /** @return nucleus sampling {@code top_p}, or null */
    public Double topP() {
        return topP;
    }

    /** @return the maximum tokens of the answer, or null */
    public Integer maxTokens() {
        return maxTokens;
    }

    /** @return stop sequences, possibly empty */
    public List<String> stop() {
        return stop;
    }

    /** @return further parameters sent as they are, unmodifiable */
    public Map<String, Object> extra() {
        return extra;
    }

    /**
     * The client's request body exactly as it arrived, when the request came in on the OpenAI wire format (set by
     * the gateway). Its top-level {@code model} is the name the client used; {@link #model()} says which model to
     * ask for, and a provider that sends these bytes replaces only that value. Changing the model with
     * {@link #withModel} or {@link #toBuilder()} keeps the bytes.
     *
     * @return a copy of the client's JSON body, or null when the request was built by the hub's own callers
     * @since 2.2
     */
    public byte[] raw() {
        return raw == null ? null : raw.clone();
    }

    /** @return whether {@link #raw()} is present */
    public boolean hasRaw() {
        return raw != null;
    }

    /** @return whether any message carries an image */
    public boolean hasImages() {
        return messages.stream().anyMatch(ChatMessage::hasImages);
    }

    /** @return whether the request offers tools (a non-empty {@code tools} or {@code functions} parameter) */
    public boolean usesTools() {
        return nonEmpty(extra.get("tools")) || nonEmpty(extra.get("functions"));
    }

    private static boolean nonEmpty(Object o) {
        return o instanceof List ? !((List<?>) o).isEmpty() : o != null;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ChatRequest)) {
            return false;
        }
        ChatRequest r = (ChatRequest) o;
        return model.equals(r.model) && messages.equals(r.messages) && Objects.equals(temperature, r.temperature)
                && Objects.equals(topP, r.topP) && Objects.equals(maxTokens, r.maxTokens) && stop.equals(r.stop)
                && extra.equals(r.extra) && java.util.Arrays.equals(raw, r.raw);
    }

    @Override
    public int hashCode() {
        return Objects.hash(model, messages, temperature, topP, maxTokens, stop, extra);
    }

    @Override
    public String toString() {
        return "ChatRequest[model=" + model + ", messages=" + messages.size() + "]";
    }

    /** Builds a {@link ChatRequest}. */
    public static final class Builder {
        private String model;
        private final List<ChatMessage> messages = new ArrayList<>();
        private Double temperature;
        private Double topP;
        private Integer maxTokens;
        private List<String> stop;
        private final Map<String, Object> extra = new LinkedHashMap<>();
        private byte[] raw;

        private Builder(String model) {
            this.model = model;
        }

        /**
         * @param m the model
         * @return this
         */
        public Builder model(String m) {
            this.model = m;
            return this;
        }

        /**
         * @param m a message to append
         * @return this
         */
        public Builder message(ChatMessage m) {
            messages.add(Objects.requireNonNull(m, "message"));
            return this;
        }

        /**
         * @param ms messages to append
         * @return this
         */
        public Builder messages(List<ChatMessage> ms) {
            ms.forEach(this::message);
            return this;
        }

        /**
         * @param t temperature, or null
         * @return this
         */
        public Builder temperature(Double t) {
            this.temperature = t;
            return this;
        }

        /**
         * @param p top_p, or null
         * @return this
         */
        public Builder topP(Double p) {
            this.topP = p;
            return this;
        }

        /**
         * @param n max tokens, or null
         * @return this
         */
        public Builder maxTokens(Integer n) {
            this.maxTokens = n;
            return this;
        }

        /**
         * @param s stop sequences, or null
         * @return this
         */
        public Builder stop(List<String> s) {
            this.stop = s;
            return this;
        }

        /**
         * @param name  a parameter name as on the wire, for example {@code tools}
         * @param value its JSON-like value; null removes it
         * @return this
         */
        public Builder extra(String name, Object value) {
            if (value == null) {
                extra.remove(name);
            } else {
                extra.put(name, value);
            }
            return this;
        }

        /**
         * @param body the client's request body exactly as it arrived on the OpenAI wire format (copied), or null
         * @return this
         * @see ChatRequest#raw()
         * @since 2.2
         */
        public Builder raw(byte[] body) {
            this.raw = body == null ? null : body.clone();
            return this;
        }

        /** @return the request */
        public ChatRequest build() {
            return new ChatRequest(this);
        }
    }
}
