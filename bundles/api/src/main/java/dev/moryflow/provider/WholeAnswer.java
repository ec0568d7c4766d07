package dev.moryflow.provider;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Waits for the whole answer of an asynchronous call ({@link ProviderService#chatAsync}, or a {@code ChatService}'s):
 * pass it as the call's listener, then {@link #await} the handle the call returned. The wait ends when the call
 * ends, however it ends — answered, failed, or ended by whoever runs it (a provider removed while it ran) — so a
 * synchronous {@code chat} written this way never outlives its call.
 *
 * @since 2.4
 */
public final class WholeAnswer implements ChatStreamListener {

    private final CompletableFuture<ChatResponse> answer = new CompletableFuture<>();

    @Override
    public void onChunk(ChatChunk chunk) {
        // a whole answer has none
    }

    @Override
    public void onComplete(ChatResponse response) {
        answer.complete(response);
    }

    @Override
    public void onError(ProviderException error) {
        answer.completeExceptionally(error);
    }

    /**
     * @param call       the handle of the call this listener was given to; cancelled when the waiting thread is
     *                   interrupted
     * @param providerId the provider id to name when the wait is interrupted, or null
     * @return the answer
     * @throws ProviderException the call's failure, or {@link Problem#CANCELLED} when the waiting thread was
     *                           interrupted (its interrupt flag is set again)
     */
    public ChatResponse await(StreamHandle call, String providerId) throws ProviderException {
        try {
            return answer.get();
        } catch (InterruptedException e) {
            call.cancel();
            Thread.currentThread().interrupt();
            throw new ProviderException(Problem.CANCELLED, "the chat was cancelled: its caller was interrupted",
                    null, 0, null, providerId, null);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ProviderException) {
                throw (ProviderException) e.getCause();
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** A chat that waits for its whole answer. */
    @FunctionalInterface
    public interface Blocking {
        /**
         * @return the answer
         * @throws ProviderException when the chat failed
         */
        ChatResponse chat() throws ProviderException;
    }

    /**
     * Runs a waiting chat on the calling thread and tells the listener its end: the default of
     * {@code chatAsync} for implementations that can only wait.
     *
     * @param listener told {@code onComplete} or {@code onError} once
     * @param chat     the chat
     * @return a handle that can cancel nothing: the chat has ended
     * @since 2.4
     */
    public static StreamHandle tell(ChatStreamListener listener, Blocking chat) {
        ChatResponse answer;
        try {
            answer = chat.chat();
        } catch (ProviderException e) {
            listener.onError(e);
            return StreamHandle.done();
        }
        listener.onComplete(answer);
        return StreamHandle.done();
    }
}
