package dev.moryflow.chat.internal;

import java.util.Dictionary;
import java.util.Map;
import java.util.function.Function;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.slf4j.Logger;

/**
 * The service one configuration parses into (a model's metadata, a route), registered again on each change: a
 * configuration that does not parse registers nothing and leaves one log line naming it and why. Used from a
 * component's activate, modified and deactivate, which DS calls one at a time.
 *
 * @param <T> the parsed type, registered under its class
 */
final class ParsedRegistration<T> {

    /** Parses a configuration, given its PID and properties; an IllegalArgumentException says what is wrong. */
    interface Parser<T> {
        T parse(String pid, Map<String, Object> properties);
    }

    private final BundleContext context;
    private final Class<T> type;
    private final String what;
    private final Logger logger;
    private ServiceRegistration<T> registration;

    /**
     * @param context the component's bundle context
     * @param type    the registered type
     * @param what    what a configuration is, for the log line ("Model configuration")
     * @param logger  where the refusal goes
     */
    ParsedRegistration(BundleContext context, Class<T> type, String what, Logger logger) {
        this.context = context;
        this.type = type;
        this.what = what;
        this.logger = logger;
    }

    /**
     * @param properties        the configuration
     * @param parser            how it is parsed
     * @param serviceProperties the service properties of a parsed value
     * @return the value now registered, or null when the configuration did not parse (nothing is registered)
     */
    T apply(Map<String, Object> properties, Parser<T> parser, Function<T, Dictionary<String, Object>> serviceProperties) {
        String pid = String.valueOf(properties.get(Constants.SERVICE_PID));
        T parsed;
        try {
            parsed = parser.parse(pid, properties);
        } catch (IllegalArgumentException e) {
            unregister();
            logger.warn("{} {} not used: {}", what, pid, e.getMessage());
            return null;
        }
        unregister();
        registration = context.registerService(type, parsed, serviceProperties.apply(parsed));
        return parsed;
    }

    void unregister() {
        ServiceRegistration<T> r = registration;
        registration = null;
        if (r != null) {
            try {
                r.unregister();
            } catch (IllegalStateException e) {
                // already gone with the bundle
            }
        }
    }
}
