package dev.moryflow.chat.internal;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.moryflow.events.EventProperties;
import dev.moryflow.events.Topics;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;
import dev.moryflow.provider.Usage;

/**
 * Posts the chat bundle's events, and the one log line of each failed chat. Properties and log lines carry ids,
 * counts and problem names, never message content or keys.
 */
final class ChatEvents {

    private final Logger logger = LoggerFactory.getLogger(ChatEvents.class);
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
            Usage usage, String route, int attempt) {
        Map<String, Object> p = chatProps(requested, providerId, durationMs, stream);
        routeProps(p, route, attempt);
        p.put(EventProperties.PROVIDER_MODEL, providerModel);
        if (usage != null) {
            p.put(EventProperties.TOKENS_PROMPT, usage.promptTokens());
            p.put(EventProperties.TOKENS_COMPLETION, usage.completionTokens());
            p.put(EventProperties.TOKENS_TOTAL, usage.totalTokens());
        }
        post(Topics.CHAT_COMPLETED, p);
    }

    /**
     * Posts {@code chat/FAILED} and writes the chat's one log line: WARN when the provider failed (an error answer,
     * a broken stream, TLS), INFO when the request could not be served as asked (no answer in time, connection,
     * rate limit, routing, admission, cancelled), never ERROR. The line names provider, model, HTTP status, problem
     * and duration, and the upstream's own code; never the message text (it may quote the conversation) or a key.
     */
    void failed(String requested, String providerId, long durationMs, boolean stream, ProviderException error) {
        failed(requested, providerId, durationMs, stream, error, null, 0);
    }

    /**
     * As {@link #failed(String, String, long, boolean, ProviderException)}, for an attempt of a route.
     *
     * @param route   the alias, or null
     * @param attempt which of its targets (from 1), or 0 when none was tried
     */
    void failed(String requested, String providerId, long durationMs, boolean stream, ProviderException error,
            String route, int attempt) {
        String line = failureLine(requested, providerId, durationMs, stream, error)
                + (route == null ? "" : ", route " + route + (attempt > 0 ? " attempt " + attempt : ""));
        if (isProviderFault(error.problem())) {
            logger.warn(line);
        } else {
            logger.info(line);
        }
        Map<String, Object> p = chatProps(requested, providerId, durationMs, stream);
        routeProps(p, route, attempt);
        p.put(EventProperties.PROBLEM, error.problem().name());
        if (error.httpStatus() > 0) {
            p.put(EventProperties.HTTP_STATUS, error.httpStatus());
        }
        long wait = RouteCall.retryAfterMillis(error);
        if (wait > 0) {
            p.put(EventProperties.RETRY_AFTER_MS, wait);
        }
        post(Topics.CHAT_FAILED, p);
    }

    /** @return the log line of a failed chat: ids, status, problem, code and duration only */
    static String failureLine(String requested, String providerId, long durationMs, boolean stream,
            ProviderException error) {
        return "Chat failed: provider " + (providerId == null ? "-" : providerId) + ", model "
                + (requested == null || requested.isBlank() ? "-" : requested) + ", " + (stream ? "streamed" : "whole")
                + ", HTTP " + (error.httpStatus() > 0 ? String.valueOf(error.httpStatus()) : "-") + ", problem "
                + error.problem().name() + (error.upstreamCode() == null ? "" : ", upstream code "
                        + shortCode(error.upstreamCode()))
                + ", " + durationMs + " ms";
    }

    /** An upstream's code on one line of at most 80 characters (it comes from outside). */
    private static String shortCode(String code) {
        String s = code.replaceAll("\\s+", " ").trim();
        return s.length() <= 80 ? s : s.substring(0, 79) + "…";
    }

    /** Whether a problem is the provider's fault (WARN) rather than the request's or the network's (INFO). */
    static boolean isProviderFault(Problem problem) {
        switch (problem) {
            case UPSTREAM_ERROR:
            case RESPONSE_FORMAT:
            case AUTHENTICATION:
            case PERMISSION:
            case TLS:
                return true;
            default:
                return false;
        }
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

    private static void routeProps(Map<String, Object> p, String route, int attempt) {
        if (route != null) {
            p.put(EventProperties.ROUTE, route);
            if (attempt > 0) {
                p.put(EventProperties.ATTEMPT, attempt);
            }
        }
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
