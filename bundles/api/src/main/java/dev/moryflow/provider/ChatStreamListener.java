package dev.moryflow.provider;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives a streamed answer. Calls come from one thread at a time, in order: any number of {@link #onChunk}, then
 * exactly one of {@link #onComplete} or {@link #onError} — unless the stream was cancelled, after which no call
 * is made at all. Implementations must return quickly: they run on the HTTP client's threads.
 */
@ConsumerType
public interface ChatStreamListener {

    /**
     * The stream was routed: it goes to the provider with this id. A {@code ChatService} calls this once, on the
     * caller's thread, before the request is sent and before any other call, so that a caller can name the provider
     * before the first chunk (the gateway's {@code X-MoryFlow-Provider} header). Not called when routing fails, and
     * never called by a provider's own {@link ProviderService#stream}. The default does nothing.
     * <p>
     * For a chat of an alias (a {@code moryflow.route} whose targets are tried in order), it is called once the
     * target that answers is known: right before the first chunk, or before {@link #onComplete} or
     * {@link #onError} (then naming the last target tried), on the thread that delivers it, and still before any
     * byte of the answer (since 2.5).
     *
     * @param providerId the id of the provider that will answer
     * @since 2.1
     */
    default void onProvider(String providerId) {
        // most listeners only need the chunks
    }

    /**
     * A chat of an alias found the target that answers it (or ran out of targets): called once, right before
     * {@link #onProvider}, with every target tried in order, the last one being the one that answers (or failed
     * last). Targets skipped before sending (they cannot take the request) are not in the list. Not called for a
     * chat of a model name. The default does nothing.
     *
     * @param route    the alias
     * @param attempts the targets tried, each {@code provider/model}, in order
     * @since 2.5
     */
    default void onAttempts(String route, java.util.List<String> attempts) {
        // most listeners only need the chunks
    }

    /**
     * A piece of the answer arrived.
     *
     * @param chunk the piece
     */
    void onChunk(ChatChunk chunk);

    /**
     * The stream ended normally.
     *
     * @param response the whole answer assembled from the chunks, with usage when the provider reported it
     */
    void onComplete(ChatResponse response);

    /**
     * The stream failed, before or after some chunks.
     *
     * @param error what went wrong
     */
    void onError(ProviderException error);
}
