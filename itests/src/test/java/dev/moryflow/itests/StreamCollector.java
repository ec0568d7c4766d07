package dev.moryflow.itests;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.moryflow.provider.ChatChunk;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.ChatStreamListener;
import dev.moryflow.provider.ProviderException;

/** Collects a streamed answer: the chunks' text, how many came, and the end (answer or error). */
final class StreamCollector implements ChatStreamListener {

    final StringBuilder text = new StringBuilder();
    final CompletableFuture<ChatResponse> done = new CompletableFuture<>();
    int chunks;

    @Override
    public void onChunk(ChatChunk chunk) {
        chunks++;
        text.append(chunk.content());
    }

    @Override
    public void onComplete(ChatResponse response) {
        done.complete(response);
    }

    @Override
    public void onError(ProviderException error) {
        done.completeExceptionally(error);
    }

    /** @return the whole answer, waiting at most {@link HubTestSupport#TIMEOUT_MS}; an error is thrown as it came */
    ChatResponse await() throws Exception {
        return done.get(HubTestSupport.TIMEOUT_MS, TimeUnit.MILLISECONDS);
    }
}
