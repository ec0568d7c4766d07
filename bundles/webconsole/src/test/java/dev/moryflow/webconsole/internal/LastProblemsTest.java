package dev.moryflow.webconsole.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.Map;
import java.util.Optional;

import org.junit.Test;
import org.osgi.service.event.Event;

import dev.moryflow.events.Topics;

public class LastProblemsTest {

    private final LastProblems problems = new LastProblems();

    @Test
    public void aProvidersFailureShowsUntilAChatThroughItCompletesAndAClientsMistakeNever() {
        problems.handleEvent(new Event(Topics.CHAT_FAILED, Map.of("provider.id", "p", "problem", "BAD_REQUEST",
                "http.status", 400)));
        assertTrue("a bad request is the client's", problems.of("p").isEmpty());
        problems.handleEvent(new Event(Topics.CHAT_FAILED, Map.of("provider.id", "p", "problem", "RATE_LIMITED",
                "http.status", 429)));
        assertEquals(Optional.of("rate limited (HTTP 429)"), problems.of("p"));
        problems.handleEvent(new Event(Topics.CHAT_COMPLETED, Map.of("provider.id", "p")));
        assertTrue(problems.of("p").isEmpty());
        problems.handleEvent(new Event(Topics.PROVIDER_TESTED, Map.of("provider.id", "p", "ok", false)));
        assertEquals(Optional.of("its last test failed"), problems.of("p"));
        problems.handleEvent(new Event(Topics.PROVIDER_TESTED, Map.of("provider.id", "p", "ok", true)));
        assertTrue(problems.of("p").isEmpty());
    }
}
