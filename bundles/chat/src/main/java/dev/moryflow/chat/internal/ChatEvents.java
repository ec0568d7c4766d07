package dev.moryflow.chat.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

import dev.moryflow.events.EventProperties;
import dev.moryflow.events.Topics;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.ProviderException;
import dev.moryflow.provider.Usage;

/**
 * Posts the chat bundle's events. Properties carry ids, counts and problem names, never message content or keys.
 */
final class ChatEvents {

    private final EventAdmin eventAdmin;

    ChatEvents(EventAdmin eventAdmin) {
        this.eventAdmin = eventAdmin;
    }

    /** Posts provider and model events for the difference between two routing tables. */
    void tableChanged(RoutingTable before, RoutingTable after) {
        Map<String, ProviderEntry> old = before.providers();
        Map<String, ProviderEntry> now = after.providers();
        for (ProviderEntry p : old.values()) {
            if (!now.containsKey(p.id)) {
                post(Topics.PROVIDER_REMOVED, providerProps(p));
            }
        }
        for (ProviderEntry p : now.values()) {
            ProviderEntry was = old.get(p.id);
            if (was == null) {
                post(Topics.PROVIDER_ADDED, providerProps(p));
            } else if (!p.sameAs(was)) {
                post(Topics.PROVIDER_MODIFIED, providerProps(p));
            }
        }
        Set<String> ids = new java.util.TreeSet<>(old.keySet());
        ids.addAll(now.keySet());
        for (String id : ids) {
            Set<String> a = before.modelIds(id);
            Set<String> b = after.modelIds(id);
            List<String> added = b.stream().filter(m -> !a.contains(m)).collect(Collectors.toList());
            List<String> removed = a.stream().filter(m -> !b.contains(m)).collect(Collectors.toList());
            if (!removed.isEmpty()) {
                post(Topics.MODEL_REMOVED, modelProps(id, removed));
            }
            if (!added.isEmpty()) {
                post(Topics.MODEL_ADDED, modelProps(id, added));
            }
        }
    }

    void completed(String requested, String providerId, String providerModel, long durationMs, boolean stream,
            Usage usage) {
        Map<String, Object> p = chatProps(requested, providerId, durationMs, stream);
        p.put(EventProperties.PROVIDER_MODEL, providerModel);
        if (usage != null) {
            p.put(EventProperties.TOKENS_PROMPT, usage.promptTokens());
            p.put(EventProperties.TOKENS_COMPLETION, usage.completionTokens());
            p.put(EventProperties.TOKENS_TOTAL, usage.totalTokens());
        }
        post(Topics.CHAT_COMPLETED, p);
    }

    void failed(String requested, String providerId, long durationMs, boolean stream, ProviderException error) {
        Map<String, Object> p = chatProps(requested, providerId, durationMs, stream);
        p.put(EventProperties.PROBLEM, error.problem().name());
        if (error.httpStatus() > 0) {
            p.put(EventProperties.HTTP_STATUS, error.httpStatus());
        }
        post(Topics.CHAT_FAILED, p);
    }

    private static Map<String, Object> chatProps(String requested, String providerId, long durationMs,
            boolean stream) {
        Map<String, Object> p = new HashMap<>();
        p.put(EventProperties.MODEL, requested == null ? "" : requested);
        if (providerId != null) {
            p.put(EventProperties.PROVIDER_ID, providerId);
        }
        p.put(EventProperties.DURATION_MS, durationMs);
        p.put(EventProperties.STREAM, stream);
        return p;
    }

    private static Map<String, Object> providerProps(ProviderEntry e) {
        Map<String, Object> p = new HashMap<>();
        p.put(EventProperties.PROVIDER_ID, e.id);
        p.put(EventProperties.PROVIDER_NAME, e.name);
        p.put(EventProperties.PROVIDER_PROTOCOL, e.protocol);
        p.put(EventProperties.PROVIDER_MODELS, e.models.stream().map(ModelInfo::id).toArray(String[]::new));
        if (e.preset != null) {
            p.put(EventProperties.PROVIDER_PRESET, e.preset);
        }
        return p;
    }

    private static Map<String, Object> modelProps(String providerId, List<String> models) {
        Map<String, Object> p = new HashMap<>();
        p.put(EventProperties.PROVIDER_ID, providerId);
        p.put(EventProperties.MODELS, models.toArray(new String[0]));
        return p;
    }

    private void post(String topic, Map<String, Object> props) {
        eventAdmin.postEvent(new Event(topic, props));
    }
}
