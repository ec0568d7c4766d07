package dev.moryflow.http;

import java.io.IOException;
import java.net.Proxy;
import java.util.Arrays;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * One chat call of a provider bundle, streamed or whole, with the listener contract every provider must keep: the
 * OkHttp callback that reads the answer on the dispatcher's thread ({@link #read}, written per protocol) and the
 * {@link StreamHandle} that cancels it.
 * <p>
 * Guarantees: listener calls are made one at a time, in order; exactly one {@code onComplete} or {@code onError} ends
 * them; after {@link #cancel()} returns, no listener call is in progress or will be made. To keep that promise the
 * listener is called while holding this call's lock, which {@link #cancel()} takes too: a listener must return
 * quickly (as its contract says) and must not wait for another thread that is cancelling this call. A listener that
 * throws stops the call. The key sent is owned by the call from {@link #start} on and wiped when it ends.
 *
 * @since 1.3
 */
public abstract class ListenerCall implements StreamHandle, Callback {

    private final Logger logger = LoggerFactory.getLogger(ListenerCall.class);
    private final String providerId;
    private final ChatStreamListener listener;
    private final Proxy proxy;
    private final Object lock = new Object();
    /** Guarded by {@link #lock}: no listener call may start once set. */
    private boolean closed;
    private volatile boolean finished;
    private volatile Call call;
    /** Owned by the thread that reads the answer; wiped when it is done. */
    private char[] key;
    /** Told once when the call has ended, however it ended ({@link LiveCalls} forgets it then). */
    private volatile Runnable whenEnded;
    /** Run exactly once when the call has ended: gives back its place under a provider's limit. */
    private final java.util.concurrent.atomic.AtomicReference<Runnable> whenDone =
            new java.util.concurrent.atomic.AtomicReference<>();

    /**
     * @param providerId the provider, named in every failure
     * @param listener   receives the answer
     * @param proxy      the proxy the client goes through ({@code client.proxy()}), for transport failures; or null
     */
    protected ListenerCall(String providerId, ChatStreamListener listener, Proxy proxy) {
        this.providerId = providerId;
        this.listener = listener;
        this.proxy = proxy;
    }

    /**
     * Sends a whole (not streamed) chat through {@code send} and waits for its answer; an interrupted caller cancels
     * the call.
     *
     * @param providerId the provider
     * @param send       sends the chat asynchronously ({@code ProviderService.chatAsync}) to the listener given
     * @return the answer
     * @throws ProviderException the failure the listener was told, or {@link Problem#CANCELLED} when interrupted
     */
    public static ChatResponse await(String providerId, Function<ChatStreamListener, StreamHandle> send)
            throws ProviderException {
        dev.moryflow.provider.WholeAnswer answer = new dev.moryflow.provider.WholeAnswer();
        return answer.await(send.apply(answer), providerId);
    }

    /**
     * Reads the answer and tells the listener ({@link #deliver}, then {@link #complete}, or throws). Runs on the
     * HTTP client's thread; the response is closed afterwards.
     *
     * @param response the upstream's answer, of any status
     * @throws IOException       when reading fails (mapped by {@link Problems#transport})
     * @throws ProviderException when the answer is an error or unusable (told to the listener)
     */
    protected abstract void read(Response response) throws IOException, ProviderException;

    /** @return the provider id */
    protected final String providerId() {
        return providerId;
    }

    /** @return the key sent, for redaction of upstream text, or null; valid while {@link #read} runs */
    protected final char[] key() {
        return key;
    }

    /**
     * Sends the call; it now owns {@code secret} and wipes it when done.
     *
     * @param c      the call
     * @param secret the key sent with it, or null
     */
    public final void start(Call c, char[] secret) {
        this.key = secret;
        this.call = c;
        if (isCancelled()) {
            c.cancel();
        }
        c.enqueue(this);
    }

    /**
     * Reports a failure found before sending, from the executor (so the listener is never called on the caller's
     * thread, before {@code stream} returned).
     *
     * @param error    the failure
     * @param executor the HTTP client's executor ({@code client.dispatcher().executorService()})
     */
    public final void failLater(ProviderException error, Executor executor) {
        try {
            executor.execute(() -> error(error));
        } catch (RejectedExecutionException e) {
            error(error);
        }
    }

    @Override
    public final void cancel() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            finished = true;
        }
        Call c = call;
        if (c != null) {
            c.cancel();
        }
        ended();
    }

    /**
     * Ends the call at once with {@code reason} told to the listener (unless it has ended already), and closes the
     * upstream connection: for a provider that goes away while its chats run (its bundle stopped, its configuration
     * deleted), so that they end with an error naming what happened instead of hanging or completing later.
     *
     * @param reason what the listener is told
     */
    public final void abort(ProviderException reason) {
        error(reason);
        Call c = call;
        if (c != null) {
            c.cancel();
        }
    }

    /** @param r run once when the call has ended (at once if it has already) */
    final void whenEnded(Runnable r) {
        whenEnded = r;
        if (isDone()) {
            ended();
        }
    }

    /**
     * @param r run exactly once when the call has ended (at once if it has already), for example to give back a
     *          place under the provider's {@code maxConcurrent}
     */
    public final void whenDone(Runnable r) {
        whenDone.set(r);
        if (isDone()) {
            ended();
        }
    }

    private void ended() {
        Runnable r = whenEnded;
        if (r != null) {
            r.run();
        }
        Runnable once = whenDone.getAndSet(null);
        if (once != null) {
            once.run();
        }
    }

    /**
     * Whether to send the request again instead of reading this answer: for an answer that says nothing of the
     * request was processed and a changed request will do (the call then goes on with the new one, on the same
     * listener and key). The default never does.
     *
     * @param response the upstream's answer, of any status
     * @return the call to send instead, or null to read this answer
     * @throws IOException when the answer cannot be looked at
     */
    protected Call retry(Response response) throws IOException {
        return null;
    }

    @Override
    public final boolean isDone() {
        return finished;
    }

    /** @return whether the call was cancelled or has ended: read no further */
    protected final boolean isCancelled() {
        synchronized (lock) {
            return closed;
        }
    }

    @Override
    public final void onFailure(Call c, IOException e) {
        try {
            if (!isCancelled()) {
                error(Problems.transport(e, c.request().url(), proxy));
            }
        } finally {
            wipeKey();
        }
    }

    @Override
    public final void onResponse(Call c, Response response) {
        boolean resent = false;
        try (response) {
            Call again = retry(response);
            if (again != null) {
                synchronized (lock) {
                    if (!closed) {
                        call = again;
                        resent = true;
                    }
                }
                if (resent) {
                    again.enqueue(this);
                    return;
                }
            }
            read(response);
        } catch (IOException e) {
            if (!isCancelled()) {
                error(Problems.transport(e, c.request().url(), proxy));
            }
        } catch (ProviderException e) {
            error(e);
        } catch (RuntimeException e) {
            logger.debug("Answer of provider {} could not be read", providerId, e);
            error(new ProviderException(Problem.RESPONSE_FORMAT, "the answer could not be read: "
                    + e.getClass().getSimpleName(), null, 0, null, providerId, null));
        } finally {
            if (!resent) {
                wipeKey(); // a call sent again still needs it, for the redaction of its answer
            }
        }
    }

    /**
     * @param chunk a piece of the answer
     * @return whether the call goes on (false: cancelled, or the listener failed and was told so)
     */
    protected final boolean deliver(ChatChunk chunk) {
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
                closed = true;
                finished = true;
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
        ended();
        return false;
    }

    /** @param response the whole answer: ends the call */
    protected final void complete(ChatResponse response) {
        wipeKey(); // not needed any more: a caller told of the end may rely on it being gone
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            finished = true;
            ended(); // before the listener hears of it: whoever it tells sees the call gone
            try {
                listener.onComplete(response);
            } catch (RuntimeException e) {
                logger.warn("The receiver of a stream from provider {} failed on completion", providerId, e);
            }
        }
    }

    /** @param e the failure: ends the call, naming the provider */
    protected final void error(ProviderException e) {
        wipeKey();
        ProviderException named = e.withProvider(providerId);
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            finished = true;
            ended();
            try {
                listener.onError(named);
            } catch (RuntimeException ex) {
                logger.warn("The receiver of a stream from provider {} failed on an error", providerId, ex);
            }
        }
    }

    private void wipeKey() {
        char[] k = key;
        key = null;
        if (k != null) {
            Arrays.fill(k, '\0');
        }
    }
}
