package dev.moryflow.credentials.internal;

import java.util.Map;

/** Where the vault posts its events; in OSGi, EventAdmin's {@code postEvent}. Properties never hold a secret. */
@FunctionalInterface
interface EventSink {

    /**
     * @param topic      a {@code dev.moryflow.events.Topics} constant
     * @param properties the event properties
     */
    void post(String topic, Map<String, Object> properties);
}
