package dev.moryflow.itests;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import dev.moryflow.provider.ChatChunk;
import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.ChatStreamListener;
import dev.moryflow.provider.KeyState;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.ProviderException;
import dev.moryflow.provider.ProviderInfo;
import dev.moryflow.provider.ProviderService;
import dev.moryflow.provider.StreamHandle;

/**
 * A provider of the test probe's own bundle (so: not provider-openai's) whose answers the test plays: each chat,
 * streamed or whole, waits until the test {@link #push}es chunks and {@link #finish}es it. It does nothing when it
 * is unregistered: it stands for any provider bundle that does not look after its own calls.
 */
final class HeldProvider implements ProviderService {

    final String id;
    /** The running calls, by listener; a cancelled one leaves. */
    private final Map<ChatStreamListener, Boolean> running = new ConcurrentHashMap<>();
    final AtomicInteger cancelled = new AtomicInteger();

    HeldProvider(String id) {
        this.id = id;
    }

    /** @return the service properties of a provider serving model {@code m} */
    Map<String, Object> properties() {
        return Map.of(PROVIDER_ID, id, PROVIDER_NAME, "Held " + id, PROVIDER_PROTOCOL, "held", PROVIDER_MODELS,
                new String[] { "m" });
    }

    @Override
    public ProviderInfo info() {
        return new ProviderInfo(id, "Held " + id, "held", "in-process", null, KeyState.NOT_REQUIRED);
    }

    @Override
    public List<ModelInfo> models() {
        return List.of(ModelInfo.of("m"));
    }

    @Override
    public ChatResponse chat(ChatRequest request) throws ProviderException {
        throw new ProviderException(dev.moryflow.provider.Problem.BAD_REQUEST, "only asynchronous calls here");
    }

    @Override
    public StreamHandle stream(ChatRequest request, ChatStreamListener listener) {
        return hold(listener, Boolean.TRUE);
    }

    @Override
    public StreamHandle chatAsync(ChatRequest request, ChatStreamListener listener) {
        return hold(listener, Boolean.FALSE);
    }

    private StreamHandle hold(ChatStreamListener listener, Boolean streamed) {
        running.put(listener, streamed);
        return new StreamHandle() {
            @Override
            public void cancel() {
                if (running.remove(listener) != null) {
                    cancelled.incrementAndGet();
                }
            }

            @Override
            public boolean isDone() {
                return !running.containsKey(listener);
            }
        };
    }

    /** @return how many calls are running */
    int running() {
        return running.size();
    }

    /** Sends a piece of text to every running stream. */
    void push(String text) {
        running.forEach((listener, streamed) -> {
            if (streamed) {
                listener.onChunk(ChatChunk.text(text));
            }
        });
    }

    /** Completes every running call. */
    void finish() {
        for (ChatStreamListener listener : running.keySet()) {
            if (running.remove(listener) != null) {
                listener.onComplete(new ChatResponse("held-1", "m", id, "held answer", null, "stop", null, null));
            }
        }
    }

    @Override
    public List<ModelInfo> listRemoteModels() {
        return models();
    }
}
