package dev.moryflow.itests;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;

/**
 * Keeps every line of an HTTP answer as it arrives ({@code HttpResponse.BodyHandlers.fromLineSubscriber}), for event
 * streams read while they run: the lines so far, when the answer ended, and a way to stop reading.
 */
final class LineCollector implements Flow.Subscriber<String> {

    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    /** Completes when the answer ends (exceptionally when it failed), with the time it ended. */
    final CompletableFuture<Long> ended = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
        lines.add(line);
    }

    @Override
    public void onError(Throwable t) {
        ended.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
        ended.complete(System.nanoTime());
    }

    /** @return the lines received so far */
    List<String> lines() {
        synchronized (lines) {
            return new ArrayList<>(lines);
        }
    }

    /** @return the lines received so far that start with this prefix */
    List<String> lines(String prefix) {
        List<String> out = new ArrayList<>();
        for (String l : lines()) {
            if (l.startsWith(prefix)) {
                out.add(l);
            }
        }
        return out;
    }

    /** Stops reading. */
    void cancel() {
        Flow.Subscription s = subscription;
        if (s != null) {
            s.cancel();
        }
    }
}
