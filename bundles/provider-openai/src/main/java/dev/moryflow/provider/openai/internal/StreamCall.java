package dev.moryflow.provider.openai.internal;

import java.io.IOException;
import java.net.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.moryflow.http.Problems;
import dev.moryflow.http.SseEvent;
import dev.moryflow.http.SseReader;
import dev.moryflow.provider.ChatChunk;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.ChatStreamListener;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;
import dev.moryflow.provider.StreamHandle;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Response;

/**
 * One chat call, streamed or whole: the OkHttp callback that reads the answer on the dispatcher's thread (an event
 * stream chunk by chunk as it arrives, a whole answer at once) and tells the listener, and the
 * {@link StreamHandle} that cancels it.
 * <p>
 * Guarantees: listener calls are made one at a time, in order; exactly one {@code onComplete} or {@code onError}
 * ends them; after {@link #cancel()} returns, no listener call is in progress or will be made. To keep that promise
 * the listener is called while holding this stream's lock, which {@link #cancel()} takes too: a listener must return
 * quickly (as its contract says) and must not wait for another thread that is cancelling this stream. While it runs
 * the call is in its provider's set of running calls, so that a withdrawn provider can {@link #abort} it.
 */
final class StreamCall implements StreamHandle, Callback {

    private final Logger logger = LoggerFactory.getLogger(StreamCall.class);
    private final String providerId;
    private final String model;
    private final ChatStreamListener listener;
    private final OpenAiCodec codec;
    private final Proxy proxy;
    private final long maxEventBytes;
    /** Whether the answer was asked for as a stream; else it is read whole and told once, with its raw JSON. */
    private final boolean streamed;
    /** The provider's running calls: this one is in it from {@link #start} until it ends. */
    private final Set<StreamCall> running;
    private final Object lock = new Object();
    /** Guarded by {@link #lock}: no listener call may start once set. */
    private boolean closed;
    private volatile boolean finished;
    private volatile Call call;
    /** Whether the request was the client's own body: every event is handed on, with its raw JSON. */
    private volatile boolean passThrough;
    /** Whether the hub added {@code include_usage}: the usage-only event is then counted but not handed on. */
    private volatile boolean usageAdded;
    /** Owned by the thread that reads the answer; wiped when it is done. */
    private char[] key;

    StreamCall(String providerId, String model, ChatStreamListener listener, OpenAiCodec codec, Proxy proxy,
            long maxEventBytes, boolean streamed, Set<StreamCall> running) {
        this.running = running;
        this.streamed = streamed;
        this.maxEventBytes = maxEventBytes;
        this.providerId = providerId;
        this.model = model;
        this.listener = listener;
        this.codec = codec;
        this.proxy = proxy;
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
     * Sends the call; the stream now owns {@code secret} and wipes it when done.
     *
     * @param c      the call
     * @param secret the key sent with it, or null
     */
    void start(Call c, char[] secret) {
        this.key = secret;
        this.call = c;
        running.add(this);
        if (isCancelled()) {
            running.remove(this);
            c.cancel();
        }
        c.enqueue(this);
    }

    /**
     * Reports a failure found before sending, from the executor (so the listener is never called on the caller's
     * thread, before {@code stream} returned).
     *
     * @param error    the failure
     * @param executor the HTTP client's executor
     */
    void failLater(ProviderException error, Executor executor) {
        try {
            executor.execute(() -> error(error));
        } catch (RejectedExecutionException e) {
            error(error);
        }
    }

    /**
     * Ends the call from another thread: the listener is told {@code error} (unless the call ended already), then
     * the upstream call is cancelled. Its thread then stops without calling the listener again.
     *
     * @param error what the listener is told
     */
    void abort(ProviderException error) {
        end(error);
        Call c = call;
        if (c != null) {
            c.cancel();
        }
    }

    @Override
    public void cancel() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            close();
        }
        Call c = call;
        if (c != null) {
            c.cancel();
        }
    }

    @Override
    public boolean isDone() {
        return finished;
    }

    private boolean isCancelled() {
        synchronized (lock) {
            return closed;
        }
    }

    // ------------------------------------------------------------------------------------------- OkHttp callback

    @Override
    public void onFailure(Call c, IOException e) {
        try {
            if (!isCancelled()) {
                error(Problems.transport(e, c.request().url(), proxy));
            }
        } finally {
            wipeKey();
        }
    }

    @Override
    public void onResponse(Call c, Response response) {
        try (response) {
            read(response);
        } catch (IOException e) {
            if (!isCancelled()) {
                error(Problems.transport(e, c.request().url(), proxy));
            }
        } catch (ProviderException e) {
            error(e);
        } catch (RuntimeException e) {
            logger.debug("Stream of provider {} could not be read", providerId, e);
            error(new ProviderException(Problem.RESPONSE_FORMAT, "the stream could not be read: "
                    + e.getClass().getSimpleName(), null, 0, null, providerId, null));
        } finally {
            wipeKey();
        }
    }

    private void read(Response response) throws IOException, ProviderException {
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
            StreamAssembler whole = new StreamAssembler();
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
        complete(assembler.response(providerId, model));
    }

    // ------------------------------------------------------------------------------------------- listener calls

    /** @return whether the stream goes on */
    private boolean deliver(ChatChunk chunk) {
        RuntimeException failure;
        synchronized (lock) {
            if (closed) {
                return false;
            }
            try {
                listener.onChunk(chunk);
                return true;
            } catch (RuntimeException e) {
                failure = e;
                close();
            }
            logger.warn("The receiver of a stream from provider {} failed; the stream was stopped", providerId,
                    failure);
            try {
                listener.onError(new ProviderException(Problem.CANCELLED, "the stream was stopped because its "
                        + "receiver failed: " + failure.getClass().getSimpleName(), null, 0, null, providerId,
                        null));
            } catch (RuntimeException ignored) {
                // the receiver is broken; nothing more to tell it
            }
        }
        Call c = call;
        if (c != null) {
            c.cancel();
        }
        return false;
    }

    private void complete(ChatResponse response) {
        wipeKey(); // not needed any more: a caller told of the end may rely on it being gone
        synchronized (lock) {
            if (closed) {
                return;
            }
            close();
            try {
                listener.onComplete(response);
            } catch (RuntimeException e) {
                logger.warn("The receiver of a stream from provider {} failed on completion", providerId, e);
            }
        }
    }

    private void error(ProviderException e) {
        wipeKey();
        end(e);
    }

    /** Tells the listener of the failure, unless the call ended already; leaves the key to its reading thread. */
    private void end(ProviderException e) {
        ProviderException named = e.withProvider(providerId);
        synchronized (lock) {
            if (closed) {
                return;
            }
            close();
            try {
                listener.onError(named);
            } catch (RuntimeException ex) {
                logger.warn("The receiver of a stream from provider {} failed on an error", providerId, ex);
            }
        }
    }

    /** Marks the call ended (no listener call may start any more); called holding {@link #lock}. */
    private void close() {
        closed = true;
        finished = true;
        running.remove(this);
    }

    private void wipeKey() {
        char[] k = key;
        key = null;
        if (k != null) {
            Arrays.fill(k, '\0');
        }
    }
}
