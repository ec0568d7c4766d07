package dev.moryflow.webconsole.internal;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;

import dev.moryflow.events.EventProperties;
import dev.moryflow.events.Topics;
import dev.moryflow.provider.Problem;

/**
 * What went wrong with each provider lately, from the hub's own events (no traffic of its own): a chat that failed
 * because of the provider makes its row say {@code failing: <problem>} until a chat through it completes or a test
 * passes. Failures the client caused (a bad request, a context too long, a missing model, a cancelled chat) are no
 * fault of the provider and are not counted.
 */
@Component(service = { EventHandler.class, LastProblems.class }, property = {
        EventConstants.EVENT_TOPIC + "=" + Topics.CHAT_FAILED,
        EventConstants.EVENT_TOPIC + "=" + Topics.CHAT_COMPLETED,
        EventConstants.EVENT_TOPIC + "=" + Topics.PROVIDER_TESTED })
public class LastProblems implements EventHandler {

    private final Map<String, String> last = new ConcurrentHashMap<>();

    @Override
    public void handleEvent(Event event) {
        Object id = event.getProperty(EventProperties.PROVIDER_ID);
        if (!(id instanceof String)) {
            return;
        }
        String provider = (String) id;
        if (Topics.CHAT_FAILED.equals(event.getTopic())) {
            String problem = String.valueOf(event.getProperty(EventProperties.PROBLEM));
            if (providersFault(problem)) {
                Object status = event.getProperty(EventProperties.HTTP_STATUS);
                last.put(provider, title(problem) + (status instanceof Number && ((Number) status).intValue() > 0
                        ? " (HTTP " + status + ")" : ""));
            }
        } else if (Topics.CHAT_COMPLETED.equals(event.getTopic())
                || Boolean.TRUE.equals(event.getProperty(EventProperties.OK))) {
            last.remove(provider);
        } else if (Boolean.FALSE.equals(event.getProperty(EventProperties.OK))) {
            last.put(provider, "its last test failed");
        }
    }

    /** @return the provider's last problem, while no chat through it has completed since */
    Optional<String> of(String providerId) {
        return Optional.ofNullable(last.get(providerId));
    }

    private static boolean providersFault(String problem) {
        return !("BAD_REQUEST".equals(problem) || "CONTEXT_TOO_LONG".equals(problem)
                || "MODEL_NOT_FOUND".equals(problem) || "CANCELLED".equals(problem) || "null".equals(problem));
    }

    private static String title(String problem) {
        try {
            return Problem.valueOf(problem).title();
        } catch (IllegalArgumentException e) {
            return problem;
        }
    }
}
