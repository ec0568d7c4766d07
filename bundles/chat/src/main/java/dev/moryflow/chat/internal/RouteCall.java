package dev.moryflow.chat.internal;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.moryflow.chat.ProviderHealth;
import dev.moryflow.chat.RouteDefinition;
import dev.moryflow.chat.RoutedModel;
import dev.moryflow.provider.ChatChunk;
import dev.moryflow.provider.ChatRequest;
import dev.moryflow.provider.ChatResponse;
import dev.moryflow.provider.ChatStreamListener;
import dev.moryflow.provider.ModelInfo;
import dev.moryflow.provider.Problem;
import dev.moryflow.provider.ProviderException;
import dev.moryflow.provider.StreamHandle;
import dev.moryflow.provider.UpstreamAnswer;

/**
 * One chat of an alias: plans the route's targets (skips those that cannot take the request, with why; degraded
 * providers last), then sends to one target at a time. A failure the route retries on moves to the next target —
 * after waiting for a {@code Retry-After} up to the route's patience for the same target once, or at once when it
 * asks to wait longer — and a context too long moves on only to a model with a larger window; nothing is retried
 * once a chunk has reached the caller. The caller hears {@code onAttempts} and {@code onProvider} when the
 * answering target is known, before its first chunk or its end.
 */
final class RouteCall implements StreamHandle {

    /** Sends one attempt; the chat bundle's own path (admission aside), with the route and attempt for events. */
    interface Sender {
        StreamHandle send(RoutedModel target, ChatStreamListener listener, int attempt);
    }

    private final Logger logger = LoggerFactory.getLogger(RouteCall.class);
    private final RoutingTable table;
    private final RouteDefinition route;
    private final ChatRequest request;
    private final ChatStreamListener client;
    private final Sender sender;
    private final Function<String, ProviderHealth> health;
    private final Deque<RoutedModel> pending = new ArrayDeque<>();
    private final List<String> attempts = new ArrayList<>();
    private final List<String> failures = new ArrayList<>();
    private final Set<String> waitedFor = new HashSet<>();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile boolean told;
    private volatile StreamHandle current;
    private int attempt;
    /** After a context too long: only models with a larger known window than this are tried. */
    private int windowAbove = -1;

    RouteCall(RoutingTable table, RouteDefinition route, ChatRequest request, ChatStreamListener client,
            Sender sender, Function<String, ProviderHealth> health) {
        this.table = table;
        this.route = route;
        this.request = request;
        this.client = client;
        this.sender = sender;
        this.health = health;
    }

    /**
     * Plans the targets and sends to the first.
     *
     * @return null when it started, else the failure when no target can take the request (nothing was sent)
     */
    ProviderException begin() {
        List<String> skipped = new ArrayList<>();
        Set<Problem> why = new HashSet<>();
        List<RoutedModel> healthy = new ArrayList<>();
        List<RoutedModel> degraded = new ArrayList<>();
        for (String t : route.targets()) {
            try {
                RoutedModel m = table.target(t);
                Admission.check(request, m, table.isDescribed(m), table.models());
                String unavailable = unavailable(m);
                if (unavailable != null) {
                    throw new ProviderException(Problem.NOT_READY, unavailable);
                }
                (health.apply(m.providerId()).degraded() ? degraded : healthy).add(m);
            } catch (ProviderException e) {
                skipped.add(t + ": " + e.getMessage());
                why.add(e.problem());
            }
        }
        pending.addAll(healthy);
        pending.addAll(degraded);
        if (pending.isEmpty()) {
            Problem p = why.size() == 1 ? why.iterator().next() : Problem.BAD_REQUEST;
            return new ProviderException(p, "route '" + route.alias() + "': no target can take this request ("
                    + String.join("; ", skipped) + ")", "Send a request one of its targets can take, or add a "
                            + "target that can to " + route.configuration() + " (`moryflow:routes` lists routes).");
        }
        if (!skipped.isEmpty()) {
            logger.debug("Route {} skips {}", route.alias(), skipped);
            failures.addAll(skipped);
        }
        next(null);
        return null;
    }

    private String unavailable(RoutedModel m) {
        ProviderEntry e = table.providers().get(m.providerId());
        try {
            return e == null ? "provider '" + m.providerId() + "' is gone" : e.service.info().unavailableReason();
        } catch (RuntimeException crash) {
            return null; // the send reports it
        }
    }

    /** Sends to the next target that may take it, or ends with the last failure. */
    private void next(ProviderException last) {
        RoutedModel target = null;
        while (target == null && !pending.isEmpty()) {
            RoutedModel m = pending.removeFirst();
            int w = m.model().contextWindow();
            if (windowAbove >= 0 && (w == ModelInfo.UNKNOWN || w <= windowAbove)) {
                failures.add(m.qualifiedName() + ": skipped, its context window (" + (w == ModelInfo.UNKNOWN
                        ? "unknown" : String.valueOf(w)) + ") is not larger than " + windowAbove);
            } else {
                target = m;
            }
        }
        if (target == null) {
            fail(last);
            return;
        }
        send(target);
    }

    private void send(RoutedModel target) {
        if (ended.get()) {
            return;
        }
        int n;
        synchronized (this) {
            n = ++attempt;
            attempts.add(target.qualifiedName());
        }
        StreamHandle h = sender.send(target, new Attempt(target, n), n);
        synchronized (this) {
            if (attempt == n) {
                current = h;
            }
        }
        if (ended.get()) {
            h.cancel();
        }
    }

    /** Tells the caller which targets were tried and which answers, once, before anything else reaches it. */
    private void tell(String providerId) {
        if (told) {
            return;
        }
        told = true;
        List<String> tried;
        synchronized (this) {
            tried = List.copyOf(attempts);
        }
        try {
            client.onAttempts(route.alias(), tried);
            client.onProvider(providerId);
        } catch (RuntimeException e) {
            logger.debug("The receiver of a chat of route {} failed when told its provider: {}", route.alias(),
                    e.toString());
        }
    }

    private void fail(ProviderException last) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        ProviderException error = last;
        if (attempts.size() > 1 || !failures.isEmpty()) {
            error = new ProviderException(last.problem(), "route '" + route.alias() + "': "
                    + (attempts.size() > 1 ? "every target failed" : "its target failed") + " (" + String.join("; ",
                            failures) + ")", last.hint(), last.httpStatus(), last.upstreamCode(), last.providerId(),
                    null).withUpstreamAnswer(last.upstreamAnswer());
        }
        tell(last.providerId());
        client.onError(error);
    }

    /** What to do after a failed attempt that sent nothing to the caller. */
    private void failed(RoutedModel target, ProviderException error) {
        if (ended.get()) {
            return;
        }
        String name = target.qualifiedName();
        String what = error.problem().title() + (error.httpStatus() > 0 ? " (HTTP " + error.httpStatus() + ")" : "");
        if (error.problem() == Problem.CONTEXT_TOO_LONG) {
            int w = target.model().contextWindow();
            windowAbove = w == ModelInfo.UNKNOWN ? Integer.MAX_VALUE : Math.max(windowAbove, w);
            failures.add(name + ": " + what);
            next(error);
            return;
        }
        if (!retries(error)) {
            failures.add(name + ": " + what + ", not retried");
            fail(error);
            return;
        }
        long wait = retryAfterMillis(error);
        if (wait >= 0 && !waitedFor.contains(name)) {
            if (wait <= route.maxRetryAfterSeconds() * 1000L) {
                waitedFor.add(name);
                failures.add(name + ": " + what + ", tried again after its Retry-After of " + wait + " ms");
                CompletableFuture.delayedExecutor(wait, TimeUnit.MILLISECONDS).execute(() -> send(target));
                return;
            }
            failures.add(name + ": " + what + ", asks to wait " + (wait + 999) / 1000 + " s, more than the route "
                    + "waits (" + route.maxRetryAfterSeconds() + " s)");
        } else {
            failures.add(name + ": " + what);
        }
        next(error);
    }

    /** @return whether the route's {@code retryOn} names this failure */
    private boolean retries(ProviderException e) {
        Set<String> on = route.retryOn();
        switch (e.problem()) {
            case CONNECTION_FAILED:
                return on.contains(RouteDefinition.RETRY_CONNECTION);
            case TIMEOUT:
                return on.contains(RouteDefinition.RETRY_TIMEOUT);
            case RATE_LIMITED:
                return on.contains(RouteDefinition.RETRY_429) || e.httpStatus() >= 500
                        && on.contains(RouteDefinition.RETRY_5XX);
            case UPSTREAM_ERROR:
                return (e.httpStatus() >= 500 || e.httpStatus() == 0) && on.contains(RouteDefinition.RETRY_5XX);
            case NOT_READY:
                return on.contains(RouteDefinition.RETRY_NOT_READY);
            default:
                return false;
        }
    }

    /** @return the wait an upstream asked for ({@code retry-after-ms}, {@code Retry-After}), or -1 */
    static long retryAfterMillis(ProviderException e) {
        UpstreamAnswer a = e.upstreamAnswer();
        if (a == null) {
            return -1;
        }
        String ms = a.headers().get("retry-after-ms");
        String s = a.headers().get("Retry-After");
        try {
            if (ms != null) {
                return Math.max(0, (long) Double.parseDouble(ms.trim()));
            }
            if (s != null) {
                String v = s.trim();
                if (v.chars().allMatch(Character::isDigit) && !v.isEmpty()) {
                    return Long.parseLong(v) * 1000L;
                }
                Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return Math.max(0, at.toEpochMilli() - System.currentTimeMillis());
            }
        } catch (RuntimeException unreadable) {
            return -1;
        }
        return -1;
    }

    @Override
    public void cancel() {
        if (ended.compareAndSet(false, true)) {
            StreamHandle h = current;
            if (h != null) {
                h.cancel();
            }
        }
    }

    @Override
    public boolean isDone() {
        return ended.get();
    }

    /** One target's answer: forwarded once it reaches the caller, or the route moves on. */
    private final class Attempt implements ChatStreamListener {
        private final RoutedModel target;
        private final int number;
        private boolean delivering;

        Attempt(RoutedModel target, int number) {
            this.target = target;
            this.number = number;
        }

        @Override
        public void onChunk(ChatChunk chunk) {
            if (ended.get()) {
                return;
            }
            if (!delivering) {
                delivering = true;
                tell(target.providerId());
            }
            client.onChunk(chunk);
        }

        @Override
        public void onComplete(ChatResponse response) {
            if (ended.compareAndSet(false, true)) {
                tell(target.providerId());
                client.onComplete(response);
            }
        }

        @Override
        public void onError(ProviderException error) {
            if (delivering) {
                // a chunk reached the caller: never retried, the caller gets this target's failure
                if (ended.compareAndSet(false, true)) {
                    client.onError(error);
                }
                return;
            }
            failed(target, error);
        }

        @Override
        public String toString() {
            return route.alias() + " attempt " + number + " " + target;
        }
    }
}
