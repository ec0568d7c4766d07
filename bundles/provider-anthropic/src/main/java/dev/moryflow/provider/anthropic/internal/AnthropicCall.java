package dev.moryflow.provider.anthropic.internal;

import java.io.IOException;
import java.net.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;

import dev.moryflow.http.JsonValues;
import dev.moryflow.http.ListenerCall;
import dev.moryflow.http.Problems;
import dev.moryflow.http.SseEvent;
import dev.moryflow.http.SseReader;
import dev.moryflow.provider.ChatChunk;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.ChatStreamListener;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;
import okhttp3.Response;

/**
 * One Messages API call, streamed or whole: reads the answer on the dispatcher's thread and tells the listener in the
 * hub's normalized types ({@link AnswerTranslator}). A stream is read event by event as it arrives and ends at
 * {@code message_stop}; an {@code error} event mid-stream ({@code overloaded_error}, …) ends it with the upstream's
 * error object kept ({@link Problems#upstreamError}); error answers keep their status and error type
 * ({@link Problems#fromResponse}: a 529 {@code overloaded_error} reaches the client as 529). The listener contract is
 * {@link ListenerCall}'s.
 */
final class AnthropicCall extends ListenerCall {

    private final String model;
    private final JsonFactory json;
    private final long maxEventBytes;
    private final boolean streamed;

    AnthropicCall(String providerId, String model, ChatStreamListener listener, JsonFactory json, Proxy proxy,
            long maxEventBytes, boolean streamed) {
        super(providerId, listener, proxy);
        this.model = model;
        this.json = json;
        this.maxEventBytes = maxEventBytes;
        this.streamed = streamed;
    }

    @Override
    protected void read(Response response) throws IOException, ProviderException {
        char[] key = key();
        if (!response.isSuccessful()) {
            throw Problems.fromResponse(response, model, key);
        }
        String contentType = response.header("Content-Type");
        String ct = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        AnswerTranslator answer = new AnswerTranslator(json);
        if (!streamed || ct.startsWith("application/json")) {
            byte[] body = response.body().bytes();
            Map<?, ?> message = object(new String(body, StandardCharsets.UTF_8), contentType, "the answer", key);
            if ("error".equals(message.get("type"))) {
                throw Problems.upstreamError(response.code(), message, model, key);
            }
            try {
                answer.whole(message);
            } catch (IllegalArgumentException e) {
                throw Problems.notUnderstood(e.getMessage(), contentType, start(body), key);
            }
            ChatResponse whole = answer.response(providerId(), model);
            if (streamed && !deliver(new ChatChunk(whole.content(), whole.reasoning(), whole.finishReason(),
                    whole.usage(), whole.toolCalls().isEmpty() ? null : indexed(whole)))) {
                return;
            }
            complete(whole);
            return;
        }
        if (ct.contains("html")) {
            throw Problems.notUnderstood("the answer is not an event stream", contentType,
                    response.peekBody(1000).string(), key);
        }
        SseReader reader = new SseReader(response.body().source(), maxEventBytes);
        SseEvent event;
        while (!answer.stopped() && (event = reader.next()) != null) {
            if (isCancelled()) {
                return;
            }
            Map<?, ?> data = object(event.data(), "text/event-stream", "a stream event", key);
            if ("error".equals(data.get("type")) || "error".equals(event.event())) {
                throw Problems.upstreamError(200, data, model, key);
            }
            ChatChunk chunk = answer.event(data);
            if (chunk != null && !deliver(chunk)) {
                return;
            }
        }
        if (isCancelled()) {
            return;
        }
        if (reader.events() == 0) {
            throw Problems.notUnderstood("the answer has no \"data:\" lines: it is not an event stream", contentType,
                    reader.ignoredSample(), key);
        }
        if (!answer.stopped()) {
            throw new ProviderException(Problem.RESPONSE_FORMAT, "the stream ended before the answer was complete: "
                    + "no message_stop after " + reader.events() + " events",
                    "The connection may have been cut by a proxy or the provider; retry.", 0, null, providerId(),
                    null);
        }
        complete(answer.response(providerId(), model));
    }

    /** The tool calls of a whole answer as stream deltas: each with its {@code index}. */
    private static java.util.List<Map<String, Object>> indexed(ChatResponse whole) {
        java.util.List<Map<String, Object>> out = new java.util.ArrayList<>();
        int i = 0;
        for (Map<String, Object> call : whole.toolCalls()) {
            Map<String, Object> delta = new java.util.LinkedHashMap<>();
            delta.put("index", i++);
            delta.putAll(call);
            out.add(delta);
        }
        return out;
    }

    private Map<?, ?> object(String text, String contentType, String what, char[] key) throws ProviderException {
        String trimmed = text.trim();
        if (!trimmed.startsWith("{")) {
            throw Problems.notUnderstood(what + " is not JSON", contentType, text, key);
        }
        try {
            Object v = JsonValues.parse(json, trimmed);
            if (v instanceof Map) {
                return (Map<?, ?>) v;
            }
        } catch (IOException e) {
            // said below
        }
        throw Problems.notUnderstood(what + " is not valid JSON", contentType, text, key);
    }

    private static String start(byte[] body) {
        return new String(body, 0, Math.min(body.length, 1000), StandardCharsets.UTF_8);
    }
}
