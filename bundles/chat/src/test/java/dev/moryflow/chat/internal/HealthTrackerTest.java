package dev.moryflow.chat.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

import dev.moryflow.events.Topics;

public class HealthTrackerTest {

    private final List<Event> posted = new CopyOnWriteArrayList<>();
    private final BlockingQueue<Event> arriving = new LinkedBlockingQueue<>();
    private final HealthTracker health = new HealthTracker(new EventAdmin() {
        @Override
        public void postEvent(Event event) {
            posted.add(event);
            arriving.add(event);
        }

        @Override
        public void sendEvent(Event event) {
            posted.add(event);
        }
    }, 3, 60);

    private void failed(String problem, int status) {
        health.handleEvent(new Event(Topics.CHAT_FAILED, status > 0 ? Map.of("provider.id", "p", "problem", problem,
                "http.status", status) : Map.of("provider.id", "p", "problem", problem)));
    }

    @Test
    public void threeRetryableFailuresDegradeAndACompletedChatRecovers() {
        failed("CONNECTION_FAILED", 0);
        failed("UPSTREAM_ERROR", 500);
        assertFalse(health.health("p").degraded());
        failed("RATE_LIMITED", 429);
        assertTrue(health.health("p").degraded());
        assertEquals("3 failures in 60 s, the last: rate limited (HTTP 429)", health.health("p").reason());
        assertEquals(1, posted.size());
        assertEquals(Topics.PROVIDER_HEALTH, posted.get(0).getTopic());
        assertEquals("degraded", posted.get(0).getProperty("health"));
        failed("TIMEOUT", 0);
        assertEquals("no second event while it stays degraded", 1, posted.size());

        health.handleEvent(new Event(Topics.CHAT_COMPLETED, Map.of("provider.id", "p")));
        assertFalse(health.health("p").degraded());
        assertEquals("healthy", posted.get(1).getProperty("health"));
        assertEquals("recovered: a chat completed", posted.get(1).getProperty("reason"));
    }

    @Test
    public void failuresARetryCannotFixDoNotCountAndAPassingTestRecovers() {
        for (int i = 0; i < 5; i++) {
            failed("BAD_REQUEST", 400);
            failed("AUTHENTICATION", 401);
            failed("CANCELLED", 0);
            failed("UPSTREAM_ERROR", 404);
        }
        assertFalse(health.health("p").degraded());
        for (int i = 0; i < 3; i++) {
            health.handleEvent(new Event(Topics.PROVIDER_TESTED, Map.of("provider.id", "p", "ok", false, "problem",
                    "CONNECTION_FAILED")));
        }
        assertTrue(health.health("p").degraded());
        health.handleEvent(new Event(Topics.PROVIDER_TESTED, Map.of("provider.id", "p", "ok", true)));
        assertFalse(health.health("p").degraded());
        assertEquals("recovered: its test passed", health.health("p").reason());
    }

    private void rateLimited(long retryAfterMs) {
        health.handleEvent(new Event(Topics.CHAT_FAILED, Map.of("provider.id", "p", "problem", "RATE_LIMITED",
                "http.status", 429, "retry.after.ms", retryAfterMs)));
    }

    private Event nextPosted() throws InterruptedException {
        Event e = arriving.poll(10, TimeUnit.SECONDS);
        assertTrue("no health event within 10 s", e != null);
        return e;
    }

    @Test
    public void aRetryAfterDegradesAtOnceUntilTheWaitIsOver() throws Exception {
        rateLimited(400);
        long start = System.nanoTime();
        assertTrue("one 429 asking to wait degrades at once", health.health("p").degraded());
        String reason = health.health("p").reason();
        assertTrue(reason, reason.startsWith("rate limited (HTTP 429), asked to wait 1 s (Retry-After), until 20"));
        assertEquals("degraded", nextPosted().getProperty("health"));

        Event back = nextPosted();
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals("healthy", back.getProperty("health"));
        assertEquals("recovered: the wait it asked for is over", back.getProperty("reason"));
        assertTrue("healthy again after " + ms + " ms, before the 400 ms it asked for", ms >= 390);
        assertFalse(health.health("p").degraded());
    }

    @Test
    public void aCompletedChatEndsTheWaitAndItsEndThenChangesNothing() throws Exception {
        rateLimited(300);
        assertEquals("degraded", nextPosted().getProperty("health"));
        health.handleEvent(new Event(Topics.CHAT_COMPLETED, Map.of("provider.id", "p")));
        assertEquals("recovered: a chat completed", nextPosted().getProperty("reason"));
        rateLimited(0); // no wait asked: one failure, not degraded; and the first wait's end (300 ms) must say nothing
        assertEquals("nothing posted after the wait that a success ended", null, arriving.poll(700,
                TimeUnit.MILLISECONDS));
        assertFalse(health.health("p").degraded());
    }

    @Test
    public void theEndOfAWaitDoesNotHealAProviderItsFailuresDegraded() throws Exception {
        rateLimited(300);
        assertEquals("degraded", nextPosted().getProperty("health"));
        failed("CONNECTION_FAILED", 0);
        failed("CONNECTION_FAILED", 0);
        Event counted = nextPosted();
        assertTrue((String) counted.getProperty("reason"), ((String) counted.getProperty("reason")).startsWith(
                "3 failures in 60 s, the last: connection failed"));
        assertEquals("the wait's end leaves a provider degraded by its failures as it is", null, arriving.poll(700,
                TimeUnit.MILLISECONDS));
        assertTrue(health.health("p").degraded());
    }
}
