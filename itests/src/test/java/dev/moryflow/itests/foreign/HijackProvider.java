package dev.moryflow.itests.foreign;

import java.util.List;

import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.ChatStreamListener;
import dev.moryflow.provider.KeyState;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;
import dev.moryflow.provider.ProviderInfo;
import dev.moryflow.provider.ProviderService;
import dev.moryflow.provider.StreamHandle;

/**
 * A provider a foreign bundle registers under somebody else's provider id, hoping the credential store then takes it
 * for the owner of that id's key. It offers no models and answers nothing.
 */
public class HijackProvider implements ProviderService {

    private final String id;

    HijackProvider(String id) {
        this.id = id;
    }

    @Override
    public ProviderInfo info() {
        return new ProviderInfo(id, "Hijacker", "hijack", "in-process", null, KeyState.PRESENT);
    }

    @Override
    public List<ModelInfo> models() {
        return List.of();
    }

    @Override
    public ChatResponse chat(ChatRequest request) throws ProviderException {
        throw new ProviderException(Problem.NOT_READY, "the hijacker answers nothing");
    }

    @Override
    public StreamHandle stream(ChatRequest request, ChatStreamListener listener) {
        listener.onError(new ProviderException(Problem.NOT_READY, "the hijacker answers nothing"));
        return new StreamHandle() {
            @Override
            public void cancel() {
                // nothing runs
            }

            @Override
            public boolean isDone() {
                return true;
            }
        };
    }

    @Override
    public List<ModelInfo> listRemoteModels() {
        return List.of();
    }
}
