package dev.moryflow.chat.internal;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.moryflow.chat.ProviderHealth;
import dev.moryflow.events.EventProperties;
import dev.moryflow.events.Topics;
import dev.moryflow.provider.Problem;

/**
 * Each provider's health, read from the hub's own events only (no traffic of its own): {@code chat/FAILED} and a
 * failed {@code provider/TESTED} with a problem a retry could fix (connection, timeout, 5xx, 429) count against a
 * provider; {@code failures} of them within {@code windowSeconds} make it degraded. A completed chat or a passing
 * test makes it healthy again (and clears the count). A failure whose upstream asked to be left alone for a while
 * ({@code retry.after.ms}, from its {@code Retry-After}) makes it degraded until then at once: routes do not ask a
 * rate-limited provider again in every chat, only when nothing else answers; when the wait runs out it is healthy
 * again (unless its failures count against it). Each change posts {@code moryflow/provider/HEALTH}. Routing reads it
 * to try degraded providers last; the listings show it.
 */
@Component(service = { EventHandler.class, HealthTracker.class }, immediate = true,
        configurationPid = HealthTracker.PID,
        property = { EventConstants.EVENT_TOPIC + "=" + Topics.CHAT_COMPLETED,
                EventConstants.EVENT_TOPIC + "=" + Topics.CHAT_FAILED,
                EventConstants.EVENT_TOPIC + "=" + Topics.PROVIDER_TESTED,
                EventConstants.EVENT_TOPIC + "=" + Topics.PROVIDER_REMOVED })
@Designate(ocd = HealthTracker.Config.class)
public class HealthTracker implements EventHandler {

    /** The PID of the optional configuration. */
    public static final String PID = "moryflow.health";

    /** When a provider counts as degraded. */
    @ObjectClassDefinition(id = PID, name = "Provider health",
            description = "When a provider counts as degraded (tried last by routes), read from its chats and tests.")
    public @interface Config {
        /** @return how many failures make a provider degraded */
        @AttributeDefinition(name = "Failures", min = "1", description = "Failures a retry could fix "
                + "(connection, timeout, 5xx, 429) within the window that make a provider degraded.")
        int failures() default 3;

        /** @return the window */
        @AttributeDefinition(name = "Window (seconds)", min = "1", description = "How far back failures count.")
        int windowSeconds() default 60;
    }

    /** One provider's recent failures and state. */
    private static final class State {
        final Deque<Long> failures = new ArrayDeque<>();
        ProviderHealth health;
        /** Until when (epoch milliseconds) the upstream asked to be left alone; 0: it did not. */
        long waitUntil;
        /** Whether {@link #health} is degraded for that wait only (not for its count of failures). */
        boolean degradedByWait;

        State(String id) {
            health = ProviderHealth.healthy(id);
        }
    }

    private final Logger logger = LoggerFactory.getLogger(HealthTracker.class);
    private final EventAdmin eventAdmin;
    private final Map<String, State> states = new ConcurrentHashMap<>();
    private volatile int threshold;
    private volatile long windowMillis;
    private volatile boolean closed;

    /**
     * @param eventAdmin posts the health events
     * @param config     the thresholds
     */
    @Activate
    public HealthTracker(@Reference EventAdmin eventAdmin, Config config) {
        this.eventAdmin = eventAdmin;
        modified(config);
    }

    /** For tests: the thresholds as numbers. */
    HealthTracker(EventAdmin eventAdmin, int failures, int windowSeconds) {
        this.eventAdmin = eventAdmin;
        set(failures, windowSeconds);
    }

    @Deactivate
    void deactivate() {
        closed = true; // a wait that runs out later posts nothing
    }

    @Modified
    void modified(Config config) {
        set(config.failures(), config.windowSeconds());
    }

    private void set(int failures, int windowSeconds) {
        this.threshold = Math.max(1, failures);
        this.windowMillis = Math.max(1, windowSeconds) * 1000L;
    }

    /**
     * @param providerId a provider id
     * @return its health; healthy when nothing is known against it
     */
    ProviderHealth health(String providerId) {
        State s = states.get(providerId);
        if (s == null) {
            return ProviderHealth.healthy(providerId);
        }
        synchronized (s) {
            return s.health;
        }
    }

    @Override
    public void handleEvent(Event event) {
        Object id = event.getProperty(EventProperties.PROVIDER_ID);
        if (!(id instanceof String)) {
            return;
        }
        String providerId = (String) id;
        switch (event.getTopic()) {
            case Topics.CHAT_COMPLETED:
                success(providerId, "a chat completed");
                break;
            case Topics.CHAT_FAILED:
                failure(providerId, event);
                break;
            case Topics.PROVIDER_TESTED:
                if (Boolean.TRUE.equals(event.getProperty(EventProperties.OK))) {
                    success(providerId, "its test passed");
                } else {
                    failure(providerId, event);
                }
                break;
            case Topics.PROVIDER_REMOVED:
                states.remove(providerId);
                break;
            default:
                break;
        }
    }

    private void success(String providerId, String why) {
        State s = states.get(providerId);
        if (s == null) {
            return;
        }
        ProviderHealth changed = null;
        synchronized (s) {
            s.failures.clear();
            s.waitUntil = 0;
            s.degradedByWait = false;
            if (s.health.degraded()) {
                s.health = new ProviderHealth(providerId, false, "recovered: " + why, System.currentTimeMillis());
                changed = s.health;
            }
        }
        if (changed != null) {
            post(changed);
        }
    }

    private void failure(String providerId, Event event) {
        String problem = retryable(event);
        if (problem == null) {
            return;
        }
        Object ra = event.getProperty(EventProperties.RETRY_AFTER_MS);
        long wait = ra instanceof Number ? ((Number) ra).longValue() : 0;
        State s = states.computeIfAbsent(providerId, State::new);
        ProviderHealth changed = null;
        boolean waitLonger = false;
        long now = System.currentTimeMillis();
        synchronized (s) {
            s.failures.addLast(now);
            prune(s, now);
            if (wait > 0 && now + wait > s.waitUntil) {
                s.waitUntil = now + wait;
                waitLonger = true;
            }
            if ((!s.health.degraded() || s.degradedByWait) && s.failures.size() >= threshold) {
                s.health = new ProviderHealth(providerId, true, failures(s) + ", the last: " + problem, now);
                s.degradedByWait = false;
                changed = s.health;
            } else if ((!s.health.degraded() || s.degradedByWait) && waitLonger) {
                s.health = new ProviderHealth(providerId, true, problem + ", asked to wait " + (wait + 999) / 1000
                        + " s (Retry-After), until " + Instant.ofEpochMilli(s.waitUntil).truncatedTo(
                                ChronoUnit.SECONDS), now);
                s.degradedByWait = true;
                changed = s.health;
            }
        }
        if (changed != null) {
            post(changed);
        }
        if (waitLonger) {
            CompletableFuture.delayedExecutor(wait + 1, TimeUnit.MILLISECONDS).execute(() -> waitRanOut(providerId));
        }
    }

    /** Healthy again when the wait the upstream asked for is over, unless its failures count against it. */
    private void waitRanOut(String providerId) {
        State s = states.get(providerId);
        if (closed || s == null) {
            return;
        }
        ProviderHealth changed = null;
        long now = System.currentTimeMillis();
        synchronized (s) {
            if (s.waitUntil == 0 || s.waitUntil > now) {
                return; // cleared by a success, or a longer wait came (its own task ends it)
            }
            s.waitUntil = 0;
            if (s.degradedByWait) {
                s.degradedByWait = false;
                prune(s, now);
                s.health = s.failures.size() >= threshold
                        ? new ProviderHealth(providerId, true, failures(s), now)
                        : new ProviderHealth(providerId, false, "recovered: the wait it asked for is over", now);
                changed = s.health;
            }
        }
        if (changed != null) {
            post(changed);
        }
    }

    /** @return its failures in the window, as the reason says it: {@code 3 failures in 60 s} */
    private String failures(State s) {
        return s.failures.size() + " failures in " + windowMillis / 1000 + " s";
    }

    private void prune(State s, long now) {
        while (!s.failures.isEmpty() && s.failures.peekFirst() < now - windowMillis) {
            s.failures.removeFirst();
        }
    }

    /** @return the failure in the user's words when a retry could fix it (so it says something of the provider) */
    private static String retryable(Event event) {
        Object p = event.getProperty(EventProperties.PROBLEM);
        Object st = event.getProperty(EventProperties.HTTP_STATUS);
        int status = st instanceof Integer ? (Integer) st : 0;
        Problem problem;
        try {
            problem = p == null ? null : Problem.valueOf(String.valueOf(p));
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (problem == null) {
            return null;
        }
        switch (problem) {
            case CONNECTION_FAILED:
            case TIMEOUT:
            case RATE_LIMITED:
                return problem.title() + (status > 0 ? " (HTTP " + status + ")" : "");
            case UPSTREAM_ERROR:
                return status >= 500 || status == 0 ? problem.title() + (status > 0 ? " (HTTP " + status + ")" : "")
                        : null;
            default:
                return null;
        }
    }

    private void post(ProviderHealth h) {
        if (h.degraded()) {
            logger.warn("Provider {} is degraded: {}. Routes try it last until a chat through it completes, its "
                    + "test passes{}.", h.providerId(), h.reason(), h.reason().contains("Retry-After")
                            ? " or the wait is over" : "");
        } else {
            logger.info("Provider {} is healthy again ({})", h.providerId(), h.reason());
        }
        Map<String, Object> props = new HashMap<>();
        props.put(EventProperties.PROVIDER_ID, h.providerId());
        props.put(EventProperties.HEALTH, h.state());
        props.put(EventProperties.REASON, h.reason());
        eventAdmin.postEvent(new Event(Topics.PROVIDER_HEALTH, props));
    }
}
