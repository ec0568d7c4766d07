package dev.moryflow.chat.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.Test;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

import dev.moryflow.events.Topics;

public class HealthTrackerTest {

    private final List<Event> posted = new ArrayList<>();
    private final HealthTracker health = new HealthTracker(new EventAdmin() {
        @Override
        public void postEvent(Event event) {
            posted.add(event);
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
}
