package dev.moryflow.chat.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

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

/** A provider that answers "<id>:<model>" and records the requests it got. */
class FakeProvider implements ProviderService {

    final String id;
    final List<ModelInfo> models;
    final List<ChatRequest> received = new ArrayList<>();
    ProviderException failWith;
    volatile ChatStreamListener lastListener;
    /** Counted down by each call that reaches {@link #stream} (or a held {@link #chatAsync}). */
    final CountDownLatch called = new CountDownLatch(1);
    /** Whether {@link #chatAsync} holds the call (like {@link #stream}) instead of answering at once. */
    boolean holdWholeChats;
    final AtomicBoolean cancelled = new AtomicBoolean();

    FakeProvider(String id, String... modelIds) {
        this.id = id;
        this.models = new ArrayList<>();
        for (String m : modelIds) {
            models.add(ModelInfo.of(m));
        }
    }

    Map<String, Object> props(long serviceId, int ranking) {
        Map<String, Object> p = new HashMap<>();
        p.put("service.id", serviceId);
        p.put("service.ranking", ranking);
        p.put(PROVIDER_ID, id);
        p.put(PROVIDER_NAME, id.toUpperCase());
        p.put(PROVIDER_PROTOCOL, "openai");
        return p;
    }

    /**
     * @param serviceId   the service id
     * @param bundleState the state of the bundle that registered it ({@code Bundle.ACTIVE}, {@code STOPPING}, …)
     * @param pid         its {@code service.pid}, or null
     * @return a reference to this provider's registration (a java.lang.reflect.Proxy), its bundle {@code test.bundle}
     */
    @SuppressWarnings("unchecked")
    ServiceReference<ProviderService> reference(long serviceId, int bundleState, String pid) {
        Map<String, Object> props = props(serviceId, 0);
        if (pid != null) {
            props.put("service.pid", pid);
        }
        Bundle bundle = (Bundle) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Bundle.class },
                (proxy, m, args) -> m.getName().equals("getState") ? (Object) bundleState
                        : m.getName().equals("getSymbolicName") ? "test.bundle" : null);
        return (ServiceReference<ProviderService>) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] { ServiceReference.class }, (proxy, m, args) -> {
                    switch (m.getName()) {
                        case "getProperty":
                            return props.get(args[0]);
                        case "getBundle":
                            return bundle;
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        case "equals":
                            return proxy == args[0];
                        default:
                            return null;
                    }
                });
    }

    @Override
    public ProviderInfo info() {
        return new ProviderInfo(id, id, "openai", "http://127.0.0.1/v1", null, KeyState.NOT_REQUIRED);
    }

    @Override
    public List<ModelInfo> models() {
        return models;
    }

    @Override
    public ChatResponse chat(ChatRequest request) throws ProviderException {
        received.add(request);
        if (failWith != null) {
            throw failWith;
        }
        return new ChatResponse("c1", request.model(), null, id + ":" + request.model(), null, "stop", null, null);
    }

    @Override
    public StreamHandle stream(ChatRequest request, ChatStreamListener listener) {
        received.add(request);
        lastListener = listener;
        called.countDown();
        return new StreamHandle() {
            @Override
            public void cancel() {
                cancelled.set(true);
            }

            @Override
            public boolean isDone() {
                return cancelled.get();
            }
        };
    }

    /** Plays a stream to the last listener: two chunks and the end. */
    void playStream(String model) {
        lastListener.onChunk(ChatChunk.text("Hel"));
        lastListener.onChunk(ChatChunk.text("lo"));
        lastListener.onComplete(new ChatResponse("s1", model, null, "Hello", null, "stop", null, null));
    }

    /** Holds a whole chat's listener, as a provider waiting for its upstream does. */
    @Override
    public StreamHandle chatAsync(ChatRequest request, ChatStreamListener listener) {
        if (!holdWholeChats) {
            return ProviderService.super.chatAsync(request, listener);
        }
        return stream(request, listener);
    }

    @Override
    public List<ModelInfo> listRemoteModels() {
        return models;
    }
}
