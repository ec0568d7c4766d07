package dev.moryflow.provider.openai.internal;

import java.io.IOException;
import java.net.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import dev.moryflow.http.ListenerCall;
import dev.moryflow.http.Problems;
import dev.moryflow.http.SseEvent;
import dev.moryflow.http.SseReader;
import dev.moryflow.provider.ChatChunk;
import dev.moryflow.provider.ChatStreamListener;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;
import okhttp3.Call;
import okhttp3.Request;
import okhttp3.Response;

/**
 * One OpenAI chat call, streamed or whole: reads the answer (an event stream chunk by chunk as it arrives, a whole
 * answer at once) on the dispatcher's thread. The listener contract (one call at a time, exactly one end, nothing
 * after {@code cancel()}) is {@link ListenerCall}'s.
 */
final class StreamCall extends ListenerCall {

    private final org.slf4j.Logger logger = org.slf4j.LoggerFactory.getLogger(StreamCall.class);

    private final String model;
    private final OpenAiCodec codec;
    private final long maxEventBytes;
    /** Whether the answer was asked for as a stream; else it is read whole and told once, with its raw JSON. */
    private final boolean streamed;
    /** Whether the request was the client's own body: every event is handed on, with its raw JSON. */
    private volatile boolean passThrough;
    /** Whether the hub added {@code include_usage}: the usage-only event is then counted but not handed on. */
    private volatile boolean usageAdded;
    /** The request as the client sent it (without the hub's stream_options), while it may still be needed. */
    private volatile Request asSent;
    private volatile Call.Factory factory;
    private volatile Runnable onUsageRefused;

    StreamCall(String providerId, String model, ChatStreamListener listener, OpenAiCodec codec, Proxy proxy,
            long maxEventBytes, boolean streamed) {
        super(providerId, listener, proxy);
        this.streamed = streamed;
        this.maxEventBytes = maxEventBytes;
        this.model = model;
        this.codec = codec;
    }

    /**
     * @param clientBody whether the request sent is the client's own body
     * @param hubAskedForUsage whether the hub added {@code stream_options.include_usage} to it
     */
    void passThrough(boolean clientBody, boolean hubAskedForUsage) {
        this.passThrough = clientBody;
        this.usageAdded = hubAskedForUsage;
    }

    /**
     * @param request   the client's request as it sent it, to send instead when the server refuses the hub's
     *                  {@code stream_options}
     * @param calls     makes the call for it
     * @param onRefused run when that happened
     */
    void withoutUsage(Request request, Call.Factory calls, Runnable onRefused) {
        this.asSent = request;
        this.factory = calls;
        this.onUsageRefused = onRefused;
    }

    /**
     * A server that refuses the {@code stream_options} the hub added (older Azure API versions, some self-hosted
     * servers: 400 naming it) gets the client's request again, as the client sent it: the 400 means nothing of the
     * first was processed. The provider then stops adding it.
     */
    @Override
    protected Call retry(Response response) throws IOException {
        Request plain = asSent;
        if (plain == null || !usageAdded || response.code() != 400
                || !response.peekBody(64 * 1024).string().contains("stream_options")) {
            return null;
        }
        asSent = null;
        usageAdded = false;
        logger.info("Provider {} refused the stream_options the hub adds to learn a stream's token counts; the "
                + "request was sent again as the client sent it, and this provider's streams no longer get it",
                providerId());
        Runnable refused = onUsageRefused;
        if (refused != null) {
            refused.run();
        }
        return factory.newCall(plain);
    }

    @Override
    protected void read(Response response) throws IOException, ProviderException {
        char[] key = key();
        String providerId = providerId();
        if (!response.isSuccessful()) {
            throw Problems.fromResponse(response, model, key);
        }
        String contentType = response.header("Content-Type");
        String ct = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        if (!streamed || ct.startsWith("application/json")) {
            // a whole answer, asked for or because the server ignored "stream": true
            byte[] answer = response.body().bytes();
            Piece piece = codec.readAnswer(answer, contentType, key);
            if (piece.error != null) {
                throw Problems.upstreamError(response.code(), piece.error, model, key);
            }
            // a whole answer is bounded already (maxAnswerMiB): all of it is kept
            StreamAssembler whole = new StreamAssembler(Integer.MAX_VALUE);
            whole.add(piece);
            if (!streamed) {
                complete(whole.response(providerId, model, answer));
                return;
            }
            ChatChunk chunk = piece.toChunk();
            if (chunk == null || deliver(chunk)) {
                complete(whole.response(providerId, model, null));
            }
            return;
        }
        if (ct.contains("html")) {
            throw Problems.notUnderstood("the answer is not an event stream", contentType,
                    response.peekBody(1000).string(), key);
        }
        // each event bounded (moryflow.http maxEventMiB); the stream itself is never held
        SseReader reader = new SseReader(response.body().source(), maxEventBytes);
        StreamAssembler assembler = new StreamAssembler();
        SseEvent event;
        while ((event = reader.next()) != null) {
            if (isCancelled()) {
                return;
            }
            Piece piece;
            try {
                piece = codec.readChunk(event.data(), key);
            } catch (ProviderException notJson) {
                if ("error".equals(event.event())) {
                    throw Problems.upstreamError(200, event.data(), model, key);
                }
                throw notJson;
            }
            if (piece.error != null) {
                throw Problems.upstreamError(200, piece.error, model, key);
            }
            assembler.add(piece);
            if (usageAdded && piece.usageOnly()) {
                continue; // asked for by the hub, not the client: counted in the answer's usage, not shown
            }
            ChatChunk chunk = piece.toChunk(event.data().getBytes(StandardCharsets.UTF_8), passThrough);
            if (chunk != null && !deliver(chunk)) {
                return;
            }
        }
        if (isCancelled()) {
            return;
        }
        if (reader.events() == 0) {
            String what = reader.isDone() ? "the stream ended with [DONE] before any answer chunk"
                    : "the answer has no \"data:\" lines: it is not an event stream";
            throw Problems.notUnderstood(what, contentType, reader.ignoredSample(), key);
        }
        if (!reader.isDone() && !assembler.finished()) {
            throw new ProviderException(Problem.RESPONSE_FORMAT, "the stream ended before the answer was complete: "
                    + "no [DONE] and no finish_reason after " + reader.events() + " chunks",
                    "The connection may have been cut by a proxy or the provider; retry. "
                            + Problem.RESPONSE_FORMAT.defaultHint(),
                    0, null, providerId, null);
        }
        if (assembler.dropped() > 0) {
            logger.debug("Stream of provider {}: {} characters of its text were handed on but not kept (the hub "
                    + "keeps {})", providerId, assembler.dropped(), StreamAssembler.KEPT_CHARS);
        }
        complete(assembler.response(providerId, model));
    }
}
