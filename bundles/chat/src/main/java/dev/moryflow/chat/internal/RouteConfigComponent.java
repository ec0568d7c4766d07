package dev.moryflow.chat.internal;

import java.util.Hashtable;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.moryflow.chat.RouteDefinition;

/**
 * One {@code moryflow.route} factory configuration: validates it and, when valid, hands it to routing (as a service
 * private to this bundle), so a refused configuration changes nothing but one log line. Whether its alias is
 * routable (it may not shadow a provider's model id) is decided by routing, which sees every model.
 */
@Component(name = RouteConfigComponent.PID, configurationPid = RouteConfigComponent.PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, service = {}, immediate = true)
@Designate(ocd = RouteConfigComponent.Config.class, factory = true)
public class RouteConfigComponent {

    /** The factory PID. */
    public static final String PID = "moryflow.route";

    /** The route form in the Web Console; the values are read by {@link RouteConfig}. */
    @ObjectClassDefinition(id = PID, name = "Route",
            description = "An alias: one model name for clients, served by the first of its targets that can take "
                    + "the request and answers. A failure a retry can fix moves the chat to the next target, "
                    + "never once the answer has started.")
    public @interface Config {

        /** @return the alias */
        @AttributeDefinition(name = "Alias", required = false, description = "The name clients use as model, for "
                + "example fast. Letters, digits and . _ : - only; it may not be a provider's model id. Empty: the "
                + "configuration's name (deploy/moryflow.route-fast.cfg is fast).")
        String alias();

        /** @return the targets */
        @AttributeDefinition(name = "Targets", description = "The models to try, in order, each as "
                + "provider/model, for example groq/llama-3.3-70b-versatile. Targets that cannot take a request "
                + "(context window, images, tools) are skipped; degraded providers are tried last.")
        String[] targets();

        /** @return what moves a chat on */
        @AttributeDefinition(name = "Retry on", required = false, description = "The failures that move a chat "
                + "to the next target. Default: connection, timeout, 5xx, 429. Bad requests and rejected keys are "
                + "never retried; a context too long moves on only to a model with a larger window.",
                options = { @Option(label = "Connection failed", value = RouteDefinition.RETRY_CONNECTION),
                        @Option(label = "Timed out before the first chunk", value = RouteDefinition.RETRY_TIMEOUT),
                        @Option(label = "Provider error (5xx)", value = RouteDefinition.RETRY_5XX),
                        @Option(label = "Rate limited (429)", value = RouteDefinition.RETRY_429),
                        @Option(label = "Provider not ready (no key, disabled, removed)",
                                value = RouteDefinition.RETRY_NOT_READY) })
        String[] retryOn();

        /** @return the route's patience */
        @AttributeDefinition(name = "Max Retry-After (seconds)", required = false, min = "0", max = "600",
                description = "A target that answers 429 or 503 with a Retry-After up to this many seconds is "
                        + "tried again after that wait; one asking to wait longer is skipped for the next target.")
        int maxRetryAfterSeconds() default RouteDefinition.DEFAULT_MAX_RETRY_AFTER_SECONDS;

        /** @return how the Web Console names each configuration */
        String webconsole_configurationFactory_nameHint() default "{alias} -> {targets}";
    }

    private final Logger logger = LoggerFactory.getLogger(RouteConfigComponent.class);
    private final ParsedRegistration<RouteConfig> registration;

    /**
     * @param context    this bundle's context
     * @param properties the configuration
     */
    @Activate
    public RouteConfigComponent(BundleContext context, Map<String, Object> properties) {
        this.registration = new ParsedRegistration<>(context, RouteConfig.class, "Route configuration", logger);
        apply(properties);
    }

    @Modified
    void modified(Map<String, Object> properties) {
        apply(properties);
    }

    @Deactivate
    void deactivate() {
        registration.unregister();
    }

    private void apply(Map<String, Object> properties) {
        RouteConfig c = registration.apply(properties, RouteConfig::parse, parsed -> {
            Hashtable<String, Object> props = new Hashtable<>();
            props.put(RouteConfig.ALIAS, parsed.alias());
            return props;
        });
        if (c == null) {
            return;
        }
        RouteDefinition d = c.definition;
        logger.info("Route {} configured: targets {}, retry on {}, waits for Retry-After up to {} s", d.alias(),
                d.targets(), new java.util.TreeSet<>(d.retryOn()), d.maxRetryAfterSeconds());
    }
}
