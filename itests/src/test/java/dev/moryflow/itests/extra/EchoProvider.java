package dev.moryflow.itests.extra;

import java.util.List;
import java.util.Set;

import dev.moryflow.provider.Capability;
import dev.moryflow.provider.ChatChunk;
import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.ChatStreamListener;
import dev.moryflow.provider.KeyState;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.ProviderInfo;
import dev.moryflow.provider.ProviderService;
import dev.moryflow.provider.StreamHandle;

/**
 * A provider from a bundle that the test builds and installs while the framework runs: it answers "echo: " and the
 * last message, proving that any bundle can bring providers without the hub knowing it in advance.
 */
public class EchoProvider implements ProviderService {

    static final ModelInfo MODEL = new ModelInfo("echo-1", "Echo One", 4096, 1024, Set.of(Capability.CHAT));

    @Override
    public ProviderInfo info() {
        return new ProviderInfo("echo", "Echo", "echo", "in-process", null, KeyState.NOT_REQUIRED);
    }

    @Override
    public List<ModelInfo> models() {
        return List.of(MODEL);
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        String last = request.messages().get(request.messages().size() - 1).text();
        return new ChatResponse(null, request.model(), "echo", "echo: " + last, null, "stop", null, null);
    }

    @Override
    public StreamHandle stream(ChatRequest request, ChatStreamListener listener) {
        ChatResponse whole = chat(request);
        for (String word : whole.content().split("(?<= )")) {
            listener.onChunk(ChatChunk.text(word));
        }
        listener.onComplete(whole);
        return new StreamHandle() {
            @Override
            public void cancel() {
                // already complete
            }

            @Override
            public boolean isDone() {
                return true;
            }
        };
    }

    @Override
    public List<ModelInfo> listRemoteModels() {
        return models();
    }
}
